import { completeLeadFields } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { initialAvailability } from './availability.ts';
import type { Candidate } from './choose.ts';
import { planRedistribution, type SourceLead } from './redistribute.ts';
import { attributeMoves, turnFor } from './redistributeTurns.ts';
import type { Rule } from './ruleSet.ts';
import { draftRules, simulate } from './simulate.ts';

const team = 'aaaaaaaa-0000-4000-8000-000000000000';
const [ana, ben, cleo] = ['00000001-0000-4000-8000-000000000000', '00000002-0000-4000-8000-000000000000', '00000003-0000-4000-8000-000000000000'];
const rr: Rule = { id: 'r1', name: 'Everyone', priority: 10, isActive: true, conditions: { all: [] }, assignmentType: 'round_robin', teamId: team, userId: null };
const cand = (userId: string, name: string, openLeads = 0, maxOpenLeads: number | null = null): Candidate => ({ userId, name, canOwn: true, availability: { ...initialAvailability, maxOpenLeads }, openLeads });
const leads = (n: number, from: string): SourceLead[] => Array.from({ length: n }, (_, i) => ({ leadId: `l${i}`, leadName: `Lead ${i}`, fromUserId: from, fields: completeLeadFields({ company: `Lead ${i}` }) }));

describe('redistribution plan', () => {
  it('spreads a relieved rep\'s leads over the others by the rules, never back to a relieved rep', () => {
    const plan = planRedistribution(leads(6, ben), {
      at: '2026-03-01T00:00:00.000Z',
      rules: [rr],
      members: new Map([[team, [ana, ben, cleo]]]),
      candidates: new Map([[ana, cand(ana, 'Ana')], [ben, cand(ben, 'Ben', 6)], [cleo, cand(cleo, 'Cleo')]]),
      lastTurns: new Map([['r1', ana]]),
      sources: new Set([ben]),
    });
    expect(plan.moves.map((m) => m.toName)).toEqual(['Cleo', 'Ana', 'Cleo', 'Ana', 'Cleo', 'Ana']);
    expect(plan.moves[0]).toMatchObject({ fromName: 'Ben', ruleName: 'Everyone' });
    expect(plan.kept).toEqual([]);
  });

  it('keeps leads no one eligible can take, saying why, and respects caps as the plan fills them', () => {
    const plan = planRedistribution(leads(3, ben), {
      at: '2026-03-01T00:00:00.000Z',
      rules: [{ ...rr, assignmentType: 'team' }],
      members: new Map([[team, [ana, ben]]]),
      candidates: new Map([[ana, cand(ana, 'Ana', 0, 2)], [ben, cand(ben, 'Ben', 3)]]),
      lastTurns: new Map(),
      sources: new Set([ben]),
    });
    expect(plan.moves.map((m) => m.toName)).toEqual(['Ana', 'Ana']);
    expect(plan.kept).toEqual([{ leadId: 'l2', leadName: 'Lead 2', fromUserId: ben, reason: 'rule "Everyone" matched but no eligible member (Ana is at capacity (2/2 open leads))' }]);
  });
});

describe('confirmed moves and the round-robin turn order', () => {
  const facts = {
    at: '2026-03-01T00:00:00.000Z',
    members: new Map([[team, [ana, ben, cleo]]]),
    candidates: new Map([[ana, cand(ana, 'Ana')], [ben, cand(ben, 'Ben', 6)], [cleo, cand(cleo, 'Cleo')]]),
    sources: new Set([ben]),
  };
  const byBen = (to: string[]) => leads(to.length, ben).map((l, i) => ({ ...l, toUserId: to[i] }));

  it('given a round-robin rule, when moves to its members are confirmed, then each is the rule\'s and takes its turn', () => {
    const attributed = attributeMoves(byBen([cleo, ana]), { ...facts, rules: [rr] });
    expect(attributed).toEqual([{ ruleId: 'r1', ruleName: 'Everyone' }, { ruleId: 'r1', ruleName: 'Everyone' }]);
    expect(turnFor(rr)).toEqual({ ruleId: 'r1', teamId: team });
  });

  it('given a move to someone the rule would not pick (a relieved user, or outside its team), then it is no rule\'s and takes no turn', () => {
    const outsider = '00000004-0000-4000-8000-000000000000';
    const attributed = attributeMoves(byBen([ben, outsider]), { ...facts, rules: [rr] });
    expect(attributed).toEqual([{ ruleId: null, ruleName: null }, { ruleId: null, ruleName: null }]);
  });

  it('given a higher rule that routes to one user, then moves follow that rule; a specific user and no rule keep no turn order', () => {
    const vip: Rule = { ...rr, id: 'r0', name: 'To Ana', priority: 1, assignmentType: 'specific_user', teamId: null, userId: ana };
    expect(attributeMoves(byBen([ana]), { ...facts, rules: [vip, rr] })).toEqual([{ ruleId: 'r0', ruleName: 'To Ana' }]);
    expect(turnFor(vip)).toBeNull();
    expect(turnFor(undefined)).toBeNull();
    expect(turnFor({ ...rr, assignmentType: 'team' })).toEqual({ ruleId: 'r1', teamId: team });
  });

  it('given caps that the confirmed moves fill, then later moves fall to the next rule that has room', () => {
    const capped = new Map(facts.candidates).set(ana, cand(ana, 'Ana', 0, 1)).set(cleo, cand(cleo, 'Cleo', 0, 1));
    const overflow: Rule = { ...rr, id: 'r2', name: 'Overflow', priority: 20, assignmentType: 'specific_user', teamId: null, userId: ana };
    const attributed = attributeMoves(byBen([ana, cleo, ana]), { ...facts, candidates: capped, rules: [rr, overflow] });
    // The third lead finds both round-robin members full, and the overflow rule's Ana full too: no rule.
    expect(attributed.map((a) => a.ruleName)).toEqual(['Everyone', 'Everyone', null]);
  });
});

describe('rule simulation', () => {
  const user = (userId: string, name: string) => ({ payload: { type: 'UserCreated' as const, data: { userId, email: `${name}@x.io`, name, role: 'rep' as const } }, occurredAt: '2026-01-01T00:00:00.000Z' });
  const created = (leadId: string, at: string, country: string, ownerId: string | null = null) => ({
    payload: { type: 'LeadCreated' as const, data: { leadId, pipelineId: team, stageId: team, rank: 'a', ownerId, fields: completeLeadFields({ company: leadId, country }) } },
    occurredAt: at,
  });
  const assigned = (leadId: string, ownerId: string) => ({ payload: { type: 'LeadAssigned' as const, data: { leadId, previousOwnerId: null, ownerId, reason: null, via: 'manual' as const, ruleId: null, ruleName: null, matched: [] } }, occurredAt: '2026-02-20T00:00:00.000Z' });

  it('routes the period\'s leads by the draft rules as they stood then, and compares with their first actual owner', () => {
    const rules = draftRules([
      { name: 'DE to Cleo', priority: 1, isActive: true, conditions: { all: [{ field: 'country', operator: 'equals', value: 'DE' }] }, assignmentType: 'specific_user', userId: cleo },
      { name: 'Rest', priority: 2, isActive: true, conditions: { all: [] }, assignmentType: 'round_robin', teamId: team },
    ]);
    const events = [
      user(ana, 'Ana'), user(ben, 'Ben'), user(cleo, 'Cleo'),
      { payload: { type: 'TeamSaved' as const, data: { teamId: team, name: 'T', memberIds: [ana, ben] } }, occurredAt: '2026-01-01T00:00:00.000Z' },
      created('before', '2026-01-15T00:00:00.000Z', 'DE'),
      created('a', '2026-02-01T00:00:00.000Z', 'DE'),
      created('b', '2026-02-02T00:00:00.000Z', 'FR', ana),
      created('c', '2026-02-03T00:00:00.000Z', 'FR'),
      created('d', '2026-02-04T00:00:00.000Z', 'IT'),
      assigned('a', ana), assigned('c', ana), assigned('a', ben),
      created('after', '2026-03-01T00:00:00.000Z', 'DE'),
    ];
    const r = simulate(events, rules, '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z');
    expect(r.leads).toBe(4);
    expect(r.byUser).toEqual([
      { userId: ana, name: 'Ana', simulated: 2, actual: 3 },
      { userId: ben, name: 'Ben', simulated: 1, actual: 0 },
      { userId: cleo, name: 'Cleo', simulated: 1, actual: 0 },
      { userId: null, name: 'Unassigned', simulated: 0, actual: 1 },
    ]);
    expect(r.differences.map((d) => [d.leadId, d.simulatedOwnerId])).toEqual([['a', cleo], ['c', ben], ['d', ana]]);
    expect(r.byRule).toEqual([{ ruleName: 'DE to Cleo', simulated: 1 }, { ruleName: 'Rest', simulated: 3 }]);
    expect(r.changed).toBe(3);
  });
});
