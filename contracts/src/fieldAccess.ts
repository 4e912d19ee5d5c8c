import type { Role } from './common.ts';
import { policyStandardFields, type FieldAccess, type FieldPolicy, type FieldRule, type PolicyField } from './fieldPolicy.ts';

/** Who is looking: the role decides which rules apply, the teams decide which leads are "of other teams". */
export type FieldViewer = { userId: string; role: Role; teamIds: readonly string[] };

/**
 * A policy made ready for evaluation with the team memberships it needs. Built once per policy
 * version (query side: per cached snapshot; command side: per command).
 */
export type FieldView = {
  viewer: FieldViewer;
  rulesFor: (field: PolicyField) => readonly FieldRule[];
  teamsOf: (userId: string) => readonly string[];
  policy: FieldPolicy;
};

const STRICTNESS: Record<FieldAccess, number> = { visible: 0, read_only: 1, hidden: 2 };
const strictest = (rules: readonly FieldRule[]): FieldAccess => rules.reduce<FieldAccess>((a, r) => (STRICTNESS[r.access] > STRICTNESS[a] ? r.access : a), 'visible');

const standard = new Set<string>(policyStandardFields);
export const isPolicyField = (field: string): field is PolicyField => standard.has(field) || /^custom\.[A-Za-z][A-Za-z0-9_]{0,63}$/.test(field);

/** Allowlist for custom fields: without a rule, only admins see one. Built-in fields are visible without a rule. */
export const defaultAccess = (field: PolicyField): FieldAccess => (field.startsWith('custom.') ? 'hidden' : 'visible');

export function buildFieldView(policy: FieldPolicy, viewer: FieldViewer, teamsOf: (userId: string) => readonly string[]): FieldView {
  const byField = new Map<string, FieldRule[]>();
  for (const rule of policy.rules) {
    if (rule.role !== viewer.role) continue;
    const list = byField.get(rule.field) ?? [];
    list.push(rule);
    byField.set(rule.field, list);
  }
  return { viewer, policy, teamsOf, rulesFor: (field) => byField.get(field) ?? [] };
}

/** Unassigned leads and the viewer's own are never "of other teams"; a teammate's lead is not either. */
export function isOtherTeamLead(view: FieldView, ownerId: string | null): boolean {
  if (ownerId === null || ownerId === view.viewer.userId) return false;
  const mine = view.viewer.teamIds;
  return !view.teamsOf(ownerId).some((t) => mine.includes(t));
}

/** What the viewer may do with one field of a lead owned by `ownerId`: team rules, then other-teams rules, then every-lead rules, then the default. */
export function fieldAccessOf(view: FieldView, ownerId: string | null, field: PolicyField): FieldAccess {
  if (view.viewer.role === 'admin') return 'visible';
  const rules = view.rulesFor(field);
  if (rules.length === 0) return defaultAccess(field);
  const ownerTeams = ownerId === null ? [] : view.teamsOf(ownerId);
  const team = rules.filter((r) => r.leads === 'team' && r.teamId !== null && ownerTeams.includes(r.teamId));
  if (team.length > 0) return strictest(team);
  if (isOtherTeamLead(view, ownerId)) {
    const other = rules.filter((r) => r.leads === 'other_teams');
    if (other.length > 0) return strictest(other);
  }
  const all = rules.filter((r) => r.leads === 'all');
  return all.length > 0 ? strictest(all) : defaultAccess(field);
}

/** True when the field is hidden from the viewer on at least one possible lead (then filtering by it is refused). */
export function hiddenOnSomeLeads(view: FieldView, field: PolicyField): boolean {
  if (view.viewer.role === 'admin') return false;
  const rules = view.rulesFor(field);
  if (rules.some((r) => r.access === 'hidden')) return true;
  return defaultAccess(field) === 'hidden' && !rules.some((r) => r.leads === 'all');
}

/** True when the field is hidden from the viewer on every lead. */
export function hiddenOnEveryLead(view: FieldView, field: PolicyField): boolean {
  if (view.viewer.role === 'admin') return false;
  const rules = view.rulesFor(field);
  if (rules.some((r) => r.access !== 'hidden')) return false;
  return rules.some((r) => r.leads === 'all') || defaultAccess(field) === 'hidden';
}

/** The policy field a lead attribute or a custom key stands for. */
export const customFieldOf = (key: string): PolicyField => `custom.${key}`;
