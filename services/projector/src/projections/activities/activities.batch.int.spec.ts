import crypto from 'node:crypto';
import type { StoredEvent } from '@leadline/eventstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateProjector } from '../../engine/projector.ts';
import { expectAnyBatchingGivesSameRows, projectInBatches, type TableRows } from '../../test-support/equivalence.ts';
import { append, newEvent } from '../../test-support/events.ts';
import { projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { activityHistory, readUntil } from './batchHistory.ts';
import { activitiesProjection } from './projection.ts';

const rowsOf = (tables: TableRows[], name: string) => tables.find((t) => t.table === name)!.rows.map((r) => JSON.parse(r) as Record<string, unknown>);

describe('activities: set-based handler', () => {
  let h: ProjectorHarness;
  let events: StoredEvent[];
  let history: Awaited<ReturnType<typeof activityHistory>>;

  beforeAll(async () => {
    h = await projectorHarness({ projections: [activitiesProjection] });
    await migrateProjector(h.deps);
    history = await activityHistory(h.store);
    events = await readUntil(h.store, '', history.checkpoint);
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('gives the same rows whether the history comes event by event, at once or in random batches', async () => {
    const one = await expectAnyBatchingGivesSameRows(h.db.pool, activitiesProjection, events);
  });

  it('writes the final state of activities and templates, search included', async () => {
    const tables = await projectInBatches(h.db.pool, activitiesProjection, events, 'eq_check', () => 100000);
    const [a, b, c, d, e] = history.activityIds;
    const activities = new Map(rowsOf(tables, 'activities').map((r) => [r.id, r]));
    expect(activities.size).toBe(5);
    expect(activities.get(a)).toMatchObject({ subject: 'Discovery call (done)', description: null, scheduled_at: '2026-03-07T09:00:00+00:00', outcome: 'successful', duration_minutes: 12, version: 5, search: "'call':2 'discovery':1 'done':3" });
    expect(activities.get(b)).toMatchObject({ deleted_by: 'test', delete_reason: 'wrong lead', completed_at: '2026-03-01T10:00:00+00:00', version: 2 });
    expect(activities.get(c)).toMatchObject({ scheduled_at: '2026-03-06T13:30:00+00:00', details: { location: 'Zoom', attendees: ['a@example.com'] }, outcome: null, duration_minutes: null, version: 4 });
    expect(activities.get(d)).toMatchObject({ subject: 'Follow-up call', deleted_by: 'test', delete_reason: null, version: 3 });
    expect(activities.get(e)).toMatchObject({ details: { pinned: true }, description: 'pinned now', search: "'last':1 'now':4 'pinned':3 'word':2" });
    const [t1, t2] = history.templateIds;
    expect(rowsOf(tables, 'activity_templates').map((t) => [t.id, t.name]).sort()).toEqual([[t1, 'Intro v2'], [t2, 'Demo again']].sort());
  });

  it('keeps microseconds of a timestamp it reads back to change another column', async () => {
    const activityId = crypto.randomUUID();
    const leadId = history.leadIds[0];
    const scheduledAt = '2026-03-09T10:00:00.123456Z';
    const from = events.at(-1)!.checkpoint;
    await append(h.store, `activity-${activityId}`, newEvent('ActivityLogged', { activityId, leadId, type: 'task', userId: crypto.randomUUID(), subject: 'Precise', description: null, scheduledAt, details: {}, completion: null, templateId: null }));
    const last = await append(h.store, `activity-${activityId}`, newEvent('ActivityUpdated', { activityId, leadId, changes: { subject: { from: 'Precise', to: 'Still precise' } } }));
    const more = await readUntil(h.store, from, last);
    const tables = await projectInBatches(h.db.pool, activitiesProjection, more, 'eq_micro', () => 1);
    expect(rowsOf(tables, 'activities')).toEqual([expect.objectContaining({ subject: 'Still precise', scheduled_at: '2026-03-09T10:00:00.123456+00:00', version: 2 })]);
  });

  it('ignores a change of an unknown activity, as the UPDATE did, and throws for an unknown field', async () => {
    const [a] = history.activityIds;
    const leadId = history.leadIds[0];
    const unknown = crypto.randomUUID();
    const from = await h.store.headCheckpoint();
    const orphaned = await append(h.store, `activity-${unknown}`, newEvent('ActivityDeleted', { activityId: unknown, leadId, reason: null }));
    const orphan = await readUntil(h.store, from, orphaned);
    const withOrphan = await projectInBatches(h.db.pool, activitiesProjection, [...events, ...orphan], 'eq_orphan', () => 100000);
    expect(withOrphan).toEqual(await projectInBatches(h.db.pool, activitiesProjection, events, 'eq_plain', () => 100000));
    const wrong = await append(h.store, `activity-${a}`, newEvent('ActivityUpdated', { activityId: a, leadId, changes: { type: { from: 'call', to: 'email' } } }));
    const bad = await readUntil(h.store, orphaned, wrong);
    await expect(projectInBatches(h.db.pool, activitiesProjection, [...events, ...bad], 'eq_bad', () => 100000)).rejects.toThrow('ActivityUpdated: unknown field type');
  });
});
