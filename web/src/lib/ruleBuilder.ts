import { conditionFieldType, conditionFieldTypes, operatorsFor, type Condition, type ConditionGroup, type ConditionNode, type ConditionOperator } from '@leadline/contracts';

export const FIELD_CHOICES = [...Object.keys(conditionFieldTypes), 'custom.'];

export const OPERATOR_LABELS: Record<ConditionOperator, string> = {
  equals: 'is', not_equals: 'is not', in: 'is one of', contains: 'contains', gt: '>', gte: '≥', lt: '<', lte: '≤', is_empty: 'is empty',
};

/** Operators the builder offers for a field: the ones its type allows. */
export const operatorsForField = (field: string): readonly ConditionOperator[] => {
  const type = conditionFieldType(field);
  return type ? operatorsFor(type) : [];
};

export const isGroup = (n: ConditionNode): n is ConditionGroup => 'all' in n || 'any' in n;
export const childrenOf = (g: ConditionGroup): ConditionNode[] => ('all' in g ? g.all : g.any);
export const modeOf = (g: ConditionGroup): 'all' | 'any' => ('all' in g ? 'all' : 'any');
export const withMode = (g: ConditionGroup, mode: 'all' | 'any'): ConditionGroup => (mode === 'all' ? { all: childrenOf(g) } : { any: childrenOf(g) });
export const withChildren = (g: ConditionGroup, children: ConditionNode[]): ConditionGroup => ('all' in g ? { all: children } : { any: children });

/**
 * The value typed into the builder's text box, as the condition stores it: numbers for number
 * fields and comparisons, a list split on commas for `in`, nothing for `is_empty`.
 */
export function parseValue(field: string, operator: ConditionOperator, text: string): Condition['value'] {
  if (operator === 'is_empty') return undefined;
  const numeric = conditionFieldType(field) === 'number' || ['gt', 'gte', 'lt', 'lte'].includes(operator);
  const one = (s: string) => (numeric && s.trim() !== '' && !Number.isNaN(Number(s)) ? Number(s) : s.trim());
  if (operator === 'in') return text.split(',').map((s) => s.trim()).filter(Boolean).map(one);
  return one(text);
}

export const valueText = (c: Condition): string => (Array.isArray(c.value) ? c.value.join(', ') : c.value === undefined || c.value === null ? '' : String(c.value));
