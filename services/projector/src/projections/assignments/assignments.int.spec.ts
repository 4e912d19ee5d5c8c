import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { append, leadCreated, newEvent } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { assignmentsProjection } from './projection.ts';

describe('assignments projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  const [ana, ben] = [crypto.randomUUID(), crypto.randomUUID()];
  const teamId = crypto.randomUUID();
  const [r1, r2] = [crypto.randomUUID(), crypto.randomUUID()];
  beforeAll(async () => {
    h = await projectorHarness({ projections: [assignmentsProjection] });
    projector = await startProjector(h.deps);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('keeps teams, rules in priority order, availability and caps', async () => {
    await append(h.store, `team-${teamId}`, newEvent('TeamSaved', { teamId, name: 'DACH', memberIds: [ana] }), newEvent('TeamSaved', { teamId, name: 'DACH', memberIds: [ana, ben] }));
    const rule = (ruleId: string, name: string, priority: number) =>
      newEvent('AssignmentRuleSaved', { ruleId, name, priority, isActive: true, conditions: { all: [{ field: 'country', operator: 'equals', value: 'DE' }] }, assignmentType: 'round_robin', teamId, userId: null });
    await append(h.store, 'assignmentrules-default', rule(r1, 'First', 10), rule(r2, 'Second', 20), newEvent('AssignmentRulesReordered', { ruleIds: [r2, r1] }));
    await append(h.store, `userrouting-${ana}`, newEvent('UserAvailabilitySet', { userId: ana, status: 'away', from: null, until: '2026-04-01T00:00:00.000Z' }, '2026-03-10T08:00:00.000Z'));
    const cp = await append(h.store, `userrouting-${ben}`, newEvent('UserCapacitySet', { userId: ben, maxOpenLeads: 5 }));
    await caughtUp(h.db, 'assignments', cp);

    expect((await h.db.pool.query('SELECT name, member_ids, version FROM read.teams')).rows).toEqual([{ name: 'DACH', member_ids: [ana, ben], version: 2 }]);
    expect((await h.db.pool.query('SELECT id, priority FROM read.assignment_rules ORDER BY priority')).rows).toEqual([{ id: r2, priority: 10 }, { id: r1, priority: 20 }]);
    const routing = (await h.db.pool.query('SELECT user_id, status, away_until, set_at, max_open_leads FROM read.user_routing ORDER BY status')).rows;
    expect(routing).toEqual([
      { user_id: ben, status: 'available', away_until: null, set_at: null, max_open_leads: 5 },
      { user_id: ana, status: 'away', away_until: new Date('2026-04-01T00:00:00.000Z'), set_at: new Date('2026-03-10T08:00:00.000Z'), max_open_leads: null },
    ]);
    const deleted = await append(h.store, 'assignmentrules-default', newEvent('AssignmentRuleDeleted', { ruleId: r1 }));
    await caughtUp(h.db, 'assignments', deleted);
    expect((await h.db.pool.query('SELECT id FROM read.assignment_rules')).rows).toEqual([{ id: r2 }]);
  });

  it('records assignments with their rule and matched conditions, unrouted decisions, and redistributions with their undo', async () => {
    const lead = crypto.randomUUID();
    const other = crypto.randomUUID();
    const redistributionId = crypto.randomUUID();
    await append(
      h.store,
      `lead-${lead}`,
      newEvent('LeadAssigned', { leadId: lead, previousOwnerId: null, ownerId: ana, reason: 'rule "Second" matched', via: 'rule', ruleId: r2, ruleName: 'Second', matched: ['country is DE'] }),
    );
    await append(h.store, `routing-${other}`, newEvent('LeadRouted', { leadId: other, triggerEventId: crypto.randomUUID(), outcome: 'unassigned', ruleId: null, ruleName: null, ownerId: null, matched: [], reason: 'no active rule matched the lead' }));
    // An assigned decision is told by its LeadAssigned: no entry of its own.
    await append(h.store, `routing-${lead}`, newEvent('LeadRouted', { leadId: lead, triggerEventId: crypto.randomUUID(), outcome: 'assigned', ruleId: r2, ruleName: 'Second', ownerId: ana, matched: ['country is DE'], reason: 'x' }));
    await append(h.store, `redistribution-${redistributionId}`, newEvent('LeadsRedistributed', { redistributionId, moves: [{ leadId: lead, fromUserId: ana, toUserId: ben, reason: 'redistribution: moved from Ana', ruleId: null, ruleName: null }] }, '2026-03-20T10:00:00.000Z'));
    await append(h.store, `lead-${lead}`, newEvent('LeadAssigned', { leadId: lead, previousOwnerId: ana, ownerId: ben, reason: 'redistribution: moved from Ana', via: 'redistribution', ruleId: null, ruleName: null, matched: [] }));
    const cp = await append(h.store, `redistribution-${redistributionId}`, newEvent('RedistributionUndone', { redistributionId, restored: [lead], skipped: [] }, '2026-03-21T10:00:00.000Z'));
    await caughtUp(h.db, 'assignments', cp);

    const history = (await h.db.pool.query('SELECT lead_id, kind, previous_owner_id, owner_id, via, rule_name, matched, reason FROM read.assignment_history ORDER BY position')).rows;
    expect(history).toEqual([
      { lead_id: lead, kind: 'assigned', previous_owner_id: null, owner_id: ana, via: 'rule', rule_name: 'Second', matched: ['country is DE'], reason: 'rule "Second" matched' },
      { lead_id: other, kind: 'unrouted', previous_owner_id: null, owner_id: null, via: 'rule', rule_name: null, matched: [], reason: 'no active rule matched the lead' },
      { lead_id: lead, kind: 'assigned', previous_owner_id: ana, owner_id: ben, via: 'redistribution', rule_name: null, matched: [], reason: 'redistribution: moved from Ana' },
    ]);
    expect((await h.db.pool.query('SELECT id, occurred_at, moves, undone_at, restored FROM read.redistributions')).rows).toEqual([
      { id: redistributionId, occurred_at: new Date('2026-03-20T10:00:00.000Z'), moves: 1, undone_at: new Date('2026-03-21T10:00:00.000Z'), restored: 1 },
    ]);
  });

  it('starts a lead created with an owner with that owner, and a lead created unassigned with nothing', async () => {
    const owned = crypto.randomUUID();
    const unowned = crypto.randomUUID();
    const pipelineId = crypto.randomUUID();
    const stageId = crypto.randomUUID();
    await append(h.store, `lead-${unowned}`, leadCreated({ leadId: unowned, pipelineId, stageId }));
    const cp = await append(h.store, `lead-${owned}`, leadCreated({ leadId: owned, pipelineId, stageId, ownerId: ben }));
    await caughtUp(h.db, 'assignments', cp);
    const rows = (await h.db.pool.query("SELECT lead_id, kind, previous_owner_id, owner_id, via FROM read.assignment_history WHERE lead_id = ANY($1::uuid[]) AND kind <> 'unrouted'", [[owned, unowned]])).rows;
    expect(rows).toEqual([{ lead_id: owned, kind: 'created', previous_owner_id: null, owner_id: ben, via: 'manual' }]);
  });
});
