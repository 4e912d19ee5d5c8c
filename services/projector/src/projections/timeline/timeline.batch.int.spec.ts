import crypto from 'node:crypto';
import type { StoredEvent } from '@leadline/eventstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerContext } from '../../engine/deferred.ts';
import { decode } from '../../engine/parse.ts';
import { createTables, tableResolver } from '../../engine/tables.ts';
import { migrateProjector } from '../../engine/projector.ts';
import { applyHandlers } from '../../engine/types.ts';
import { expectAnyBatchingGivesSameRows, projectInBatches } from '../../test-support/equivalence.ts';
import { append, newEvent } from '../../test-support/events.ts';
import { projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { activityHistory, readUntil } from '../activities/batchHistory.ts';
import { timelineProjection } from './projection.ts';

describe('timeline: set-based handler', () => {
  let h: ProjectorHarness;
  let events: StoredEvent[];
  let history: Awaited<ReturnType<typeof activityHistory>>;

  beforeAll(async () => {
    h = await projectorHarness({ projections: [timelineProjection] });
    await migrateProjector(h.deps);
    history = await activityHistory(h.store);
    events = await readUntil(h.store, '', history.checkpoint);
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('gives the same rows whether the history comes event by event, at once or in random batches', async () => {
    const one = await expectAnyBatchingGivesSameRows(h.db.pool, timelineProjection, events);
    expect(one[0].rows.length).toBeGreaterThan(40);
  });

  it('keeps an activity edited within one batch with every event behind it, in order', async () => {
    const [rows] = await projectInBatches(h.db.pool, timelineProjection, events, 'eq_check', () => 100000);
    const byId = new Map(rows.rows.map((r) => JSON.parse(r) as { id: string; kind: string; activity: Record<string, unknown> | null; events: { type: string }[] }).map((r) => [r.id, r]));
    const [a, , , d] = history.activityIds;
    expect(byId.get(a)).toMatchObject({
      kind: 'call',
      activity: { subject: 'Discovery call (done)', description: null, scheduledAt: '2026-03-07T09:00:00.000Z', outcome: 'successful', durationMinutes: 12, edited: true, version: 5, details: { direction: 'inbound', phoneNumber: '555' } },
    });
    expect(byId.get(a)!.events.map((e) => e.type)).toEqual(['ActivityLogged', 'ActivityUpdated', 'ActivityUpdated', 'ActivityCompleted', 'ActivityUpdated']);
    expect(byId.get(d)).toMatchObject({ activity: { subject: 'Follow-up call', deletedBy: 'test', deleteReason: null, edited: true, version: 3 } });
    const stages = rows.rows.map((r) => JSON.parse(r) as { lead_id: string; kind: string; activity: unknown }).filter((r) => r.lead_id === history.leadIds[0] && r.kind === 'stage');
    expect(stages).toHaveLength(6);
    expect(stages.every((r) => r.activity === null)).toBe(true);
  });

  it('throws for a change of an activity that is neither stored nor logged in the batch', async () => {
    const activityId = crypto.randomUUID();
    const leadId = history.leadIds[0];
    const before = await h.store.headCheckpoint();
    const last = await append(h.store, `activity-${activityId}`, newEvent('ActivityCompleted', { activityId, leadId, completedAt: '2026-03-02T11:00:00.000Z', outcome: null, durationMinutes: null }));
    const orphan = await readUntil(h.store, before, last);
    const client = await h.db.pool.connect();
    try {
      await createTables(client, timelineProjection, 'eq_orphan');
      const { ctx } = handlerContext(client, tableResolver(timelineProjection, 'eq_orphan'), () => {});
      const handled = events.filter((e) => timelineProjection.eventTypes.includes(e.type as never));
      await client.query('BEGIN');
      await expect(applyHandlers(timelineProjection, ctx, [...handled, ...orphan].map(decode))).rejects.toThrow(`ActivityCompleted for unknown activity ${activityId}`);
      await client.query('ROLLBACK');
      await applyHandlers(timelineProjection, ctx, handled.map(decode));
      await expect(applyHandlers(timelineProjection, ctx, orphan.map(decode))).rejects.toThrow(`ActivityCompleted for unknown activity ${activityId}`);
    } finally {
      client.release();
    }
  });
});
