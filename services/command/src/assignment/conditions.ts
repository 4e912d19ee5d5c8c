import { type Condition, type ConditionGroup, type ConditionNode, type LeadFields } from '@leadline/contracts';

/** The lead as rules see it: its fields (custom ones under customFields). */
export type RoutableLead = Pick<LeadFields, 'source' | 'country' | 'city' | 'industry' | 'companySize' | 'company' | 'title' | 'email' | 'dealValue' | 'probability' | 'customFields'>;

export type Evaluation = { matched: boolean; conditions: string[] };

type Scalar = string | number | boolean;

const isGroup = (node: ConditionNode): node is ConditionGroup => 'all' in node || 'any' in node;

/** `score` lives in the custom fields until leads have a score of their own. */
export function fieldValue(lead: RoutableLead, field: string): unknown {
  if (field.startsWith('custom.')) return lead.customFields[field.slice('custom.'.length)] ?? null;
  if (field === 'score') return lead.customFields.score ?? null;
  return (lead as Record<string, unknown>)[field] ?? null;
}

const isEmpty = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

const norm = (v: unknown): unknown => (typeof v === 'string' ? v.trim().toLowerCase() : v);

function same(actual: unknown, expected: Scalar): boolean {
  if (isEmpty(actual)) return false;
  if (typeof expected === 'number') {
    const n = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
    return n === expected;
  }
  if (typeof expected === 'boolean') return actual === expected || norm(actual) === String(expected);
  return norm(actual) === norm(expected) || (typeof actual === 'number' && String(actual) === expected.trim());
}

function compare(actual: unknown, expected: unknown, test: (a: number, b: number) => boolean): boolean {
  const a = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
  return typeof expected === 'number' && !Number.isNaN(a) && test(a, expected);
}

/** Text comparisons ignore case and surrounding spaces; an empty field matches only is_empty and not_equals. */
export function testCondition(c: Condition, lead: RoutableLead): boolean {
  const actual = fieldValue(lead, c.field);
  const v = c.value;
  switch (c.operator) {
    case 'equals':
      return !Array.isArray(v) && v !== null && v !== undefined && same(actual, v);
    case 'not_equals':
      return !Array.isArray(v) && v !== null && v !== undefined && !same(actual, v);
    case 'in':
      return Array.isArray(v) && v.some((x) => same(actual, x));
    case 'contains':
      return typeof v === 'string' && typeof actual === 'string' && actual.toLowerCase().includes(v.trim().toLowerCase());
    case 'gt':
      return compare(actual, v, (a, b) => a > b);
    case 'gte':
      return compare(actual, v, (a, b) => a >= b);
    case 'lt':
      return compare(actual, v, (a, b) => a < b);
    case 'lte':
      return compare(actual, v, (a, b) => a <= b);
    case 'is_empty':
      return v === false ? !isEmpty(actual) : isEmpty(actual);
    default: {
      const _exhaustive: never = c.operator;
      return _exhaustive;
    }
  }
}

const OPERATOR_WORDS: Record<Condition['operator'], string> = {
  equals: 'is',
  not_equals: 'is not',
  in: 'is one of',
  contains: 'contains',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  is_empty: 'is empty',
};

/** "country is DE", "dealValue ≥ 10000", "source is one of web, ads". */
export function describeCondition(c: Condition): string {
  if (c.operator === 'is_empty') return `${c.field} ${c.value === false ? 'is not empty' : 'is empty'}`;
  const value = Array.isArray(c.value) ? c.value.join(', ') : String(c.value);
  return `${c.field} ${OPERATOR_WORDS[c.operator]} ${value}`;
}

/**
 * Evaluates a condition tree. `conditions` lists the leaf conditions that made it match (for
 * `any`, the ones that held; for `all`, every one). `{ all: [] }` matches every lead (a catch-all);
 * `{ any: [] }` matches none.
 */
export function evaluate(node: ConditionNode, lead: RoutableLead): Evaluation {
  if (!isGroup(node)) {
    const matched = testCondition(node, lead);
    return { matched, conditions: matched ? [describeCondition(node)] : [] };
  }
  if ('all' in node) {
    const conditions: string[] = [];
    for (const child of node.all) {
      const r = evaluate(child, lead);
      if (!r.matched) return { matched: false, conditions: [] };
      conditions.push(...r.conditions);
    }
    return { matched: true, conditions };
  }
  const conditions: string[] = [];
  let matched = false;
  for (const child of node.any) {
    const r = evaluate(child, lead);
    if (!r.matched) continue;
    matched = true;
    conditions.push(...r.conditions);
  }
  return { matched, conditions: matched ? conditions : [] };
}
