import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { verify } from '../../engine/verify.ts';
import { append, leadAssigned, leadCreated, leadMoved, newEvent } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { timelineProjection } from '../timeline/projection.ts';
import { activitiesProjection } from './projection.ts';

describe('activities and timeline projections', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  const pipelineId = crypto.randomUUID();
  const [s1, s2] = [crypto.randomUUID(), crypto.randomUUID()];
  const leadId = crypto.randomUUID();
  const callId = crypto.randomUUID();
  const noteId = crypto.randomUUID();
  const rep = crypto.randomUUID();
  let last = '';

  beforeAll(async () => {
    h = await projectorHarness({ projections: [activitiesProjection, timelineProjection] });
    projector = await startProjector(h.deps);
    await append(h.store, `lead-${leadId}`, leadCreated({ leadId, pipelineId, stageId: s1, fields: { lastName: 'Lovelace' } }));
    const logged = (activityId: string, type: 'call' | 'note', subject: string, completion: { completedAt: string; outcome: string; durationMinutes: number } | null = null) =>
      newEvent('ActivityLogged', { activityId, leadId, type, userId: rep, subject, description: 'first words', scheduledAt: null, details: type === 'call' ? { direction: 'outbound', phoneNumber: null } : { pinned: false }, completion, templateId: null });
    await append(h.store, `activity-${callId}`, logged(callId, 'call', 'Intro call'));
    await append(h.store, `activity-${noteId}`, logged(noteId, 'note', 'Budget approved', { completedAt: '2026-03-01T10:00:00.000Z', outcome: 'noted', durationMinutes: 0 }));
    await append(h.store, `lead-${leadId}`, leadMoved({ leadId, pipelineId, fromStageId: s1, toStageId: s2 }), leadAssigned(leadId, rep));
    await append(h.store, `activity-${callId}`, newEvent('ActivityUpdated', { activityId: callId, leadId, changes: { subject: { from: 'Intro call', to: 'Discovery call' }, details: { from: {}, to: { direction: 'inbound', phoneNumber: '555' } } } }));
    await append(h.store, `activity-${callId}`, newEvent('ActivityCompleted', { activityId: callId, leadId, completedAt: '2026-03-01T11:00:00.000Z', outcome: 'successful', durationMinutes: 12 }));
    last = await append(h.store, `activity-${noteId}`, newEvent('ActivityDeleted', { activityId: noteId, leadId, reason: 'wrong lead' }));
    await caughtUp(h.db, 'activities', last);
    await caughtUp(h.db, 'timeline', last);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('keeps one row per activity with its edits, completion and deletion', async () => {
    const { rows } = await h.db.pool.query('SELECT id, type, subject, details, outcome, duration_minutes, completed_at, deleted_at, deleted_by, delete_reason, version FROM read.activities ORDER BY subject');
    expect(rows).toEqual([
      { id: noteId, type: 'note', subject: 'Budget approved', details: { pinned: false }, outcome: 'noted', duration_minutes: 0, completed_at: new Date('2026-03-01T10:00:00.000Z'), deleted_at: expect.any(Date), deleted_by: 'test', delete_reason: 'wrong lead', version: 2 },
      { id: callId, type: 'call', subject: 'Discovery call', details: { direction: 'inbound', phoneNumber: '555' }, outcome: 'successful', duration_minutes: 12, completed_at: new Date('2026-03-01T11:00:00.000Z'), deleted_at: null, deleted_by: null, delete_reason: null, version: 3 },
    ]);
    const found = await h.db.pool.query(`SELECT id FROM read.activities WHERE search @@ to_tsquery('simple', 'discovery:*')`);
    expect(found.rows).toEqual([{ id: callId }]);
  });

  it('orders the timeline by log position: lead events and one entry per activity, deleted ones kept with what they said', async () => {
    const { rows } = await h.db.pool.query<{ id: string; kind: string; event_type: string; activity: Record<string, unknown> | null; events: { type: string }[] }>(
      'SELECT id, kind, event_type, activity, events FROM read.timeline WHERE lead_id = $1 ORDER BY position DESC',
      [leadId],
    );
    expect(rows.map((r) => [r.kind, r.event_type])).toEqual([
      ['assignment', 'LeadAssigned'],
      ['stage', 'LeadMovedToStage'],
      ['note', 'ActivityLogged'],
      ['call', 'ActivityLogged'],
      ['created', 'LeadCreated'],
    ]);
    const note = rows.find((r) => r.id === noteId)!;
    expect(note.activity).toMatchObject({ subject: 'Budget approved', description: 'first words', deletedBy: 'test', deleteReason: 'wrong lead' });
    expect(note.events.map((e) => e.type)).toEqual(['ActivityLogged', 'ActivityDeleted']);
    const call = rows.find((r) => r.id === callId)!;
    expect(call.activity).toMatchObject({ subject: 'Discovery call', outcome: 'successful', edited: true, version: 3 });
    expect(call.events.map((e) => e.type)).toEqual(['ActivityLogged', 'ActivityUpdated', 'ActivityCompleted']);
  });

  it('a rebuild gives rows identical to the live tables', async () => {
    const differences = await verify(h.deps);
    expect(differences).toEqual([]);
  });
});
