import { defaultAccess, fieldInWords, hiddenOnSomeLeads, type FieldAccess, type FieldRule, type PolicyField } from '@leadline/contracts';
import { ValidationError } from '@leadline/platform';
import { escapeLike } from '../read/leads.ts';
import type { LeadFieldView } from './policyCache.ts';

const STRICTNESS: Record<FieldAccess, number> = { visible: 0, read_only: 1, hidden: 2 };
const strictest = (rules: readonly FieldRule[]): FieldAccess => rules.reduce<FieldAccess>((a, r) => (STRICTNESS[r.access] > STRICTNESS[a] ? r.access : a), 'visible');
const shown = (rules: readonly FieldRule[]): boolean => strictest(rules) !== 'hidden';

/**
 * SQL that is true where the viewer may see `field` of the read.leads row `alias`: the same
 * ranking as fieldAccessOf (team rules, then other-teams rules, then every-lead rules, then the
 * default), with the teams resolved to member ids. Values go in as parameters appended to `params`.
 */
export function fieldVisibleSql(view: LeadFieldView, field: PolicyField, alias: string, params: unknown[]): string {
  if (view.viewer.role === 'admin') return 'TRUE';
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const rules = view.rulesFor(field);
  const all = rules.filter((r) => r.leads === 'all');
  const base = all.length > 0 ? shown(all) : defaultAccess(field) !== 'hidden';
  let sql = base ? 'TRUE' : 'FALSE';
  const other = rules.filter((r) => r.leads === 'other_teams');
  if (other.length > 0 && shown(other) !== base) {
    const mates = [...new Set(view.viewer.teamIds.flatMap((t) => view.membersOf(t)))];
    const isOther = `(${alias}.owner_id IS NOT NULL AND ${alias}.owner_id <> ${param(view.viewer.userId)}::uuid AND NOT (${alias}.owner_id = ANY(${param(mates)}::uuid[])))`;
    sql = base ? `NOT ${isOther}` : isOther;
  }
  const team = rules.filter((r) => r.leads === 'team' && r.teamId !== null);
  if (team.length > 0) {
    const members = (list: readonly FieldRule[]) => [...new Set(list.flatMap((r) => view.membersOf(r.teamId as string)))];
    const ruled = param(members(team));
    const hidden = param(members(team.filter((r) => r.access === 'hidden')));
    sql = `(CASE WHEN ${alias}.owner_id = ANY(${ruled}::uuid[]) THEN NOT (${alias}.owner_id = ANY(${hidden}::uuid[])) ELSE ${sql} END)`;
  }
  return sql;
}

const and = (condition: string, test: string): string | null => (condition === 'FALSE' ? null : condition === 'TRUE' ? test : `(${condition} AND ${test})`);

export type LeadMatchField = 'name' | 'company' | 'email' | 'phone' | 'externalId';

/** A phone search: digits and the usual separators only, at least 3 digits; compared digits to digits. */
const phoneDigits = (q: string): string | null => {
  if (!/^[0-9+()\-.\s]+$/.test(q)) return null;
  const digits = q.replace(/\D/g, '');
  return digits.length >= 3 ? digits : null;
};

/**
 * One SQL condition per searchable field, each true only where the viewer may see that field on
 * the lead `alias`: a lead is never found by a value hidden from the one searching. Fields hidden
 * on every lead are left out. Substring matches, case-insensitive, `%` and `_` taken literally.
 * `phone` and `externalId` (the custom field `externalId`) only when asked for (the global search).
 */
export function leadMatchSql(view: LeadFieldView, q: string, alias: string, params: unknown[], include: readonly LeadMatchField[]): { field: LeadMatchField; sql: string }[] {
  // Every parameter pushed must be named by the SQL (PostgreSQL cannot type an unused one): the
  // patterns are pushed on first use, after the visibility of the field is known.
  const lazy = (value: string) => {
    let at: string | null = null;
    return () => {
      if (at === null) {
        params.push(value);
        at = `$${params.length}`;
      }
      return at;
    };
  };
  const p = lazy(`%${escapeLike(q)}%`);
  const out: { field: LeadMatchField; sql: string | null }[] = [];
  const when = (visible: string, test: () => string): string | null => (visible === 'FALSE' ? null : and(visible, test()));
  if (include.includes('name')) {
    const first = fieldVisibleSql(view, 'firstName', alias, params);
    const last = fieldVisibleSql(view, 'lastName', alias, params);
    const name = () => `(COALESCE(${alias}.first_name, '') || ' ' || COALESCE(${alias}.last_name, '')) ILIKE ${p()}`;
    const both = first === 'TRUE' ? last : last === 'TRUE' ? first : first === 'FALSE' || last === 'FALSE' ? 'FALSE' : `${first} AND ${last}`;
    const parts = first === 'TRUE' && last === 'TRUE' ? [name()] : [when(both, name), when(first, () => `${alias}.first_name ILIKE ${p()}`), when(last, () => `${alias}.last_name ILIKE ${p()}`)];
    const kept = parts.filter((part): part is string => part !== null);
    out.push({ field: 'name', sql: kept.length === 0 ? null : kept.length === 1 ? kept[0] : `(${kept.join(' OR ')})` });
  }
  if (include.includes('company')) out.push({ field: 'company', sql: when(fieldVisibleSql(view, 'company', alias, params), () => `${alias}.company ILIKE ${p()}`) });
  if (include.includes('email')) out.push({ field: 'email', sql: when(fieldVisibleSql(view, 'email', alias, params), () => `${alias}.email ILIKE ${p()}`) });
  const digits = include.includes('phone') ? phoneDigits(q) : null;
  if (digits) {
    const d = lazy(`%${digits}%`);
    out.push({ field: 'phone', sql: when(fieldVisibleSql(view, 'phone', alias, params), () => `regexp_replace(${alias}.phone, '[^0-9]', '', 'g') LIKE ${d()}`) });
  }
  if (include.includes('externalId')) out.push({ field: 'externalId', sql: when(fieldVisibleSql(view, 'custom.externalId', alias, params), () => `(${alias}.custom_fields ->> 'externalId') ILIKE ${p()}`) });
  return out.filter((m): m is { field: LeadMatchField; sql: string } => m.sql !== null);
}

/** The board's and the lead list's `q`: name, company or email, each only where the viewer may see it. */
export function leadSearchSql(view: LeadFieldView, q: string, alias: string, params: unknown[]): string {
  const parts = leadMatchSql(view, q, alias, params, ['name', 'company', 'email']);
  return parts.length === 0 ? 'FALSE' : `(${parts.map((m) => m.sql).join(' OR ')})`;
}

/** Filters that test a lead field, by query parameter (sorts are refused alike: read/leadSort.ts). */
const FILTERED_FIELDS: Record<string, PolicyField> = { source: 'source', minValue: 'dealValue', maxValue: 'dealValue' };

/** Filtering by a field hidden from the viewer on some leads would tell its values: refused with 400 naming each parameter. */
export function refuseHiddenFilters(view: LeadFieldView, query: Record<string, unknown>): void {
  const refused = Object.entries(FILTERED_FIELDS).filter(([param, field]) => query[param] !== undefined && hiddenOnSomeLeads(view, field));
  if (refused.length === 0) return;
  throw new ValidationError(
    `You may not filter by the ${[...new Set(refused.map(([, f]) => fieldInWords(f)))].join(' and ')}: it is hidden from your role on some leads`,
    refused.map(([param, field]) => ({ field: `querystring.${param}`, message: `The ${fieldInWords(field)} is hidden from your role on some leads, so you cannot filter by it` })),
  );
}
