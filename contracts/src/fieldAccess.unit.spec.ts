import { describe, expect, it } from 'vitest';
import { buildFieldView, fieldAccessOf, hiddenOnEveryLead, hiddenOnSomeLeads, isOtherTeamLead, type FieldViewer } from './fieldAccess.ts';
import { defaultFieldPolicy, fieldPolicy, type FieldPolicy, type FieldRule } from './fieldPolicy.ts';

const TEAM_A = '00000000-0000-4000-8000-00000000000a';
const TEAM_B = '00000000-0000-4000-8000-00000000000b';
const teams: Record<string, string[]> = { me: [TEAM_A], mate: [TEAM_A], stranger: [TEAM_B], loner: [] };
const teamsOf = (id: string) => teams[id] ?? [];
const rule = (r: Partial<FieldRule> & Pick<FieldRule, 'role' | 'field' | 'access'>): FieldRule => ({ leads: 'all', teamId: null, ...r });
const policy = (rules: FieldRule[], customFields: FieldPolicy['customFields'] = []): FieldPolicy => ({ rules, customFields });
const viewer = (role: FieldViewer['role']): FieldViewer => ({ userId: 'me', role, teamIds: teamsOf('me') });
const view = (p: FieldPolicy, role: FieldViewer['role'] = 'rep') => buildFieldView(p, viewer(role), teamsOf);

describe('the default policy keeps today', () => {
  it('lets admins, managers, reps and auditors see every built-in field and hides email and phone from analysts', () => {
    for (const role of ['admin', 'manager', 'rep', 'auditor'] as const) {
      for (const field of ['email', 'phone', 'dealValue', 'firstName'] as const) expect(fieldAccessOf(view(defaultFieldPolicy, role), 'stranger', field)).toBe('visible');
    }
    const analyst = view(defaultFieldPolicy, 'analyst');
    expect(fieldAccessOf(analyst, null, 'email')).toBe('hidden');
    expect(fieldAccessOf(analyst, 'stranger', 'phone')).toBe('hidden');
    expect(fieldAccessOf(analyst, 'stranger', 'dealValue')).toBe('visible');
  });

  it('hides a custom field from everyone but admins until a rule grants it (allowlist)', () => {
    const p = policy([rule({ role: 'manager', field: 'custom.tier', access: 'visible' })], [{ key: 'tier', label: 'Tier' }]);
    expect(fieldAccessOf(view(p, 'admin'), null, 'custom.tier')).toBe('visible');
    expect(fieldAccessOf(view(p, 'admin'), null, 'custom.secret')).toBe('visible');
    expect(fieldAccessOf(view(p, 'manager'), null, 'custom.tier')).toBe('visible');
    expect(fieldAccessOf(view(p, 'rep'), null, 'custom.tier')).toBe('hidden');
    expect(fieldAccessOf(view(p, 'manager'), null, 'custom.secret')).toBe('hidden');
  });
});

describe('narrowing to leads of other teams or of a team', () => {
  const p = policy([rule({ role: 'rep', leads: 'other_teams', field: 'dealValue', access: 'hidden' })]);

  it('counts a lead as of another team when its owner shares no team with the viewer', () => {
    const v = view(p);
    expect(isOtherTeamLead(v, null)).toBe(false);
    expect(isOtherTeamLead(v, 'me')).toBe(false);
    expect(isOtherTeamLead(v, 'mate')).toBe(false);
    expect(isOtherTeamLead(v, 'stranger')).toBe(true);
    expect(isOtherTeamLead(v, 'loner')).toBe(true);
  });

  it('hides the value of other teams only', () => {
    const v = view(p);
    expect(fieldAccessOf(v, 'stranger', 'dealValue')).toBe('hidden');
    expect(fieldAccessOf(v, 'loner', 'dealValue')).toBe('hidden');
    expect(fieldAccessOf(v, 'mate', 'dealValue')).toBe('visible');
    expect(fieldAccessOf(v, 'me', 'dealValue')).toBe('visible');
    expect(fieldAccessOf(v, null, 'dealValue')).toBe('visible');
    expect(fieldAccessOf(view(p, 'manager'), 'stranger', 'dealValue')).toBe('visible');
  });

  it('ranks a team rule above an other-teams rule above an every-lead rule', () => {
    const q = policy([
      rule({ role: 'rep', field: 'phone', access: 'hidden' }),
      rule({ role: 'rep', leads: 'other_teams', field: 'phone', access: 'read_only' }),
      rule({ role: 'rep', leads: 'team', teamId: TEAM_B, field: 'phone', access: 'visible' }),
    ]);
    const v = view(q);
    expect(fieldAccessOf(v, 'me', 'phone')).toBe('hidden');
    expect(fieldAccessOf(v, 'loner', 'phone')).toBe('read_only');
    expect(fieldAccessOf(v, 'stranger', 'phone')).toBe('visible');
  });

  it('takes the most restrictive of several team rules that match', () => {
    teams.both = [TEAM_A, TEAM_B];
    const q = policy([
      rule({ role: 'rep', leads: 'team', teamId: TEAM_A, field: 'city', access: 'visible' }),
      rule({ role: 'rep', leads: 'team', teamId: TEAM_B, field: 'city', access: 'read_only' }),
    ]);
    expect(fieldAccessOf(view(q), 'both', 'city')).toBe('read_only');
  });

  it('tells whether a field is hidden on some leads or on every lead', () => {
    const v = view(p);
    expect(hiddenOnSomeLeads(v, 'dealValue')).toBe(true);
    expect(hiddenOnEveryLead(v, 'dealValue')).toBe(false);
    expect(hiddenOnSomeLeads(v, 'email')).toBe(false);
    expect(hiddenOnEveryLead(view(defaultFieldPolicy, 'analyst'), 'email')).toBe(true);
    expect(hiddenOnEveryLead(v, 'custom.tier')).toBe(true);
    expect(hiddenOnSomeLeads(view(p, 'admin'), 'custom.tier')).toBe(false);
  });
});

describe('the policy schema', () => {
  it('refuses a team rule without a team, an undeclared custom field and a repeated rule, naming each', () => {
    const result = fieldPolicy.safeParse({
      rules: [
        { role: 'rep', leads: 'team', field: 'dealValue', access: 'hidden' },
        { role: 'rep', field: 'custom.tier', access: 'visible' },
        { role: 'rep', field: 'email', access: 'hidden' },
        { role: 'rep', field: 'email', access: 'visible' },
        { role: 'admin', field: 'email', access: 'hidden' },
        { role: 'rep', field: 'nonsense', access: 'hidden' },
      ],
      customFields: [],
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['rules.4.role', 'rules.5.field']));
  });

  it('names the semantic mistakes once the shape is right', () => {
    const result = fieldPolicy.safeParse({
      rules: [
        { role: 'rep', leads: 'team', field: 'dealValue', access: 'hidden' },
        { role: 'rep', field: 'custom.tier', access: 'visible' },
        { role: 'rep', field: 'email', access: 'hidden' },
        { role: 'rep', field: 'email', access: 'visible' },
      ],
      customFields: [],
    });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['rules.0.teamId', 'rules.1.field', 'rules.3']);
  });

  it('accepts the default policy', () => {
    expect(fieldPolicy.safeParse(defaultFieldPolicy).success).toBe(true);
  });
});
