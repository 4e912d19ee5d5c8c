import { LEAD_FIELD_LABELS, customFieldOf, defaultAccess, policyRoles, policyStandardFields, type FieldAccess, type FieldPolicy, type FieldRule, type PolicyField, type PolicyRole } from '@leadline/contracts';

/** Which leads the grid is showing rules for: every lead, leads of other teams, or leads of one team. */
export type GridScope = { leads: 'all'; teamId: null } | { leads: 'other_teams'; teamId: null } | { leads: 'team'; teamId: string };

/** A cell: an access level, or (in a narrowed scope) "as for every lead" = no rule. */
export type Cell = FieldAccess | 'inherit';

export const ROLES: readonly PolicyRole[] = policyRoles;


export type GridRow = { field: PolicyField; label: string; custom: boolean };

export function gridRows(policy: FieldPolicy): GridRow[] {
  return [
    ...policyStandardFields.map((f) => ({ field: f, label: LEAD_FIELD_LABELS[f], custom: false })),
    ...policy.customFields.map((c) => ({ field: customFieldOf(c.key), label: c.label, custom: true })),
  ];
}

const matches = (r: FieldRule, scope: GridScope, role: PolicyRole, field: PolicyField) => r.role === role && r.field === field && r.leads === scope.leads && r.teamId === scope.teamId;

/** For every lead, the cell shows the access in force (the default when there is no rule); narrowed, it may be "inherit". */
export function cellOf(policy: FieldPolicy, scope: GridScope, role: PolicyRole, field: PolicyField): Cell {
  const rule = policy.rules.find((r) => matches(r, scope, role, field));
  if (rule) return rule.access;
  return scope.leads === 'all' ? defaultAccess(field) : 'inherit';
}

/** Sets one cell; the rule set stays minimal (a cell equal to what applies without a rule has no rule). */
export function setCell(policy: FieldPolicy, scope: GridScope, role: PolicyRole, field: PolicyField, cell: Cell): FieldPolicy {
  const rules = policy.rules.filter((r) => !matches(r, scope, role, field));
  const implicit = scope.leads === 'all' ? defaultAccess(field) : 'inherit';
  if (cell !== implicit && cell !== 'inherit') rules.push({ role, field, access: cell, leads: scope.leads, teamId: scope.teamId });
  return { ...policy, rules };
}

const KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** A new custom field starts hidden from every role but admins: its creator then grants it to whom they choose. */
export function addCustomField(policy: FieldPolicy, key: string, label: string): FieldPolicy | string {
  const k = key.trim();
  if (!KEY.test(k)) return 'A key starts with a letter and holds letters, digits and _ only';
  if (policy.customFields.some((c) => c.key === k)) return `${k} is already a custom field`;
  return { ...policy, customFields: [...policy.customFields, { key: k, label: label.trim() || k }] };
}

export function removeCustomField(policy: FieldPolicy, key: string): FieldPolicy {
  const field = customFieldOf(key);
  return { rules: policy.rules.filter((r) => r.field !== field), customFields: policy.customFields.filter((c) => c.key !== key) };
}

/** Teams that rules name but that no longer exist still need a place in the scope picker. */
export function scopesOf(policy: FieldPolicy, teams: readonly { id: string; name: string }[]): { scope: GridScope; label: string }[] {
  const named = new Map(teams.map((t) => [t.id, t.name]));
  for (const r of policy.rules) if (r.teamId && !named.has(r.teamId)) named.set(r.teamId, `Unknown team ${r.teamId.slice(0, 8)}`);
  return [
    { scope: { leads: 'all', teamId: null }, label: 'Every lead' },
    { scope: { leads: 'other_teams', teamId: null }, label: 'Leads of other teams' },
    ...[...named].map(([id, name]) => ({ scope: { leads: 'team' as const, teamId: id }, label: `Leads of ${name}` })),
  ];
}

export const scopeKey = (s: GridScope): string => (s.leads === 'team' ? `team:${s.teamId}` : s.leads);
