import crypto from 'node:crypto';
import type { StoredEvent } from '@leadline/eventstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAnyBatchingGivesSameRows, projectInBatches } from '../../test-support/equivalence.ts';
import { append, leadAssigned, leadCreated, leadMoved, newEvent, stageAdded } from '../../test-support/events.ts';
import { projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { batchHistory, readAllUpTo } from './batchHistory.ts';
import { leadCardsProjection } from './projection.ts';

describe('lead_cards set-based handler', () => {
  let h: ProjectorHarness;
  let events: StoredEvent[];
  let oneByOne: Awaited<ReturnType<typeof projectInBatches>>;
  const project = (suffix: string, sizes: (i: number) => number) => projectInBatches(h.db.pool, leadCardsProjection, events, suffix, sizes);

  beforeAll(async () => {
    h = await projectorHarness();
    await h.db.pool.query('CREATE SCHEMA IF NOT EXISTS read');
    events = await batchHistory(h.store);
    oneByOne = await project('eq_one', () => 1);
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('gives the same rows one by one, in one batch and for any cut into batches', async () => {
    expect(oneByOne.find((t) => t.table === 'leads')!.rows.length).toBe(30);
    await expectAnyBatchingGivesSameRows(h.db.pool, leadCardsProjection, events);
  });

  it('folds create, moves, a win, a reopening, a loss and activities of one lead in one batch', async () => {
    const pipelineId = crypto.randomUUID();
    const [open, won, lost] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const leadId = crypto.randomUUID();
    const owner = crypto.randomUUID();
    const created = leadCreated({ leadId, pipelineId, stageId: open, fields: { dealValue: 1e13, customFields: { a: 1 } } });
    const logged = (at: string) => newEvent('ActivityLogged', {
      activityId: crypto.randomUUID(), leadId, type: 'call', userId: owner, subject: 'Call', description: null, scheduledAt: null, details: {}, completion: null, templateId: null,
    }, at);
    const toLost = leadMoved({ leadId, pipelineId, fromStageId: won, toStageId: lost, rank: 'z', lostReason: 'budget' });
    const batch: StoredEvent[] = [];
    const before = logged('2026-01-01T00:00:00.000Z');
    await append(h.store, `stages-${pipelineId}`, stageAdded(pipelineId, open), stageAdded(pipelineId, won, { isWon: true }), stageAdded(pipelineId, lost, { isLost: true }));
    await append(h.store, `activity-${leadId}`, before);
    await append(
      h.store,
      `lead-${leadId}`,
      created,
      leadMoved({ leadId, pipelineId, fromStageId: open, toStageId: won, rank: 'w', wonValue: 1e13 }),
      leadMoved({ leadId, pipelineId, fromStageId: won, toStageId: open, rank: 'o' }),
      leadMoved({ leadId, pipelineId, fromStageId: open, toStageId: won, rank: 'w2', wonValue: null }),
      leadAssigned(leadId, owner),
      toLost,
    );
    const last = await append(h.store, `activity-${leadId}`, logged('2026-05-01T00:00:00.000+02:00'), logged('2026-04-01T00:00:00.000Z'));
    for (const e of await readAllUpTo(h.store, last)) if ([pipelineId, leadId].some((id) => JSON.stringify(e.data).includes(id))) batch.push(e);
    const [leads] = await projectInBatches(h.db.pool, leadCardsProjection, batch, 'eq_case', () => 100000);
    const row = JSON.parse(leads.rows[0]);
    expect(leads.rows).toHaveLength(1);
    expect(row).toMatchObject({
      id: leadId, stage_id: lost, rank: 'z', deal_value: 10000000000000.0, owner_id: owner, lost_reason: 'budget', won_at: null, version: 6, custom_fields: { a: 1 },
    });
    expect(new Date(row.stage_entered_at).toISOString()).toBe(toLost.metadata.occurredAt);
    expect(new Date(row.updated_at).toISOString()).toBe(toLost.metadata.occurredAt);
    expect(new Date(row.activity_at).toISOString()).toBe('2026-04-30T22:00:00.000Z');
    expect(new Date(row.created_at).toISOString()).toBe(created.metadata.occurredAt);
  });
});
