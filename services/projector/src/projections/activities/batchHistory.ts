import crypto from 'node:crypto';
import type { EventStore, NewEvent, StoredEvent } from '@leadline/eventstore';
import { append, leadAssigned, leadCreated, leadDetailsUpdated, leadMoved, newEvent } from '../../test-support/events.ts';
import { seedHistory } from '../../test-support/seed.ts';

type Completion = { completedAt: string; outcome: string | null; durationMinutes: number | null } | null;

const logged = (activityId: string, leadId: string, userId: string, type: 'call' | 'note' | 'meeting', subject: string, extra: { scheduledAt?: string; completion?: Completion; templateId?: string } = {}) =>
  newEvent('ActivityLogged', {
    activityId,
    leadId,
    type,
    userId,
    subject,
    description: `about ${subject}`,
    scheduledAt: extra.scheduledAt ?? null,
    details: type === 'call' ? { direction: 'outbound', phoneNumber: null } : type === 'note' ? { pinned: false } : { location: 'Room 1', attendees: [] },
    completion: extra.completion ?? null,
    templateId: extra.templateId ?? null,
  });

const updated = (activityId: string, leadId: string, changes: Record<string, unknown>) =>
  newEvent('ActivityUpdated', { activityId, leadId, changes: Object.fromEntries(Object.entries(changes).map(([k, to]) => [k, { from: null, to }])) });

const completed = (activityId: string, leadId: string, outcome: string | null, durationMinutes: number | null) =>
  newEvent('ActivityCompleted', { activityId, leadId, completedAt: '2026-03-02T11:00:00.000Z', outcome, durationMinutes });

const deleted = (activityId: string, leadId: string, reason: string | null) => newEvent('ActivityDeleted', { activityId, leadId, reason });

const templateSaved = (templateId: string, name: string, subject: string) =>
  newEvent('ActivityTemplateSaved', { templateId, name, type: 'call', subject, description: null, durationMinutes: 15, details: { direction: 'outbound' } });

/**
 * A history for the set-based handlers: seeded leads, a lead moved back and forth, won, reopened
 * and lost with a reason, activities logged, edited several times, completed and deleted with their
 * events interleaved across streams, and templates saved, changed, deleted and saved again.
 */
export async function activityHistory(store: EventStore): Promise<{ leadIds: string[]; activityIds: string[]; templateIds: string[]; checkpoint: string }> {
  const seeded = await seedHistory(store, 8);
  const { pipelineId, stageIds: [s0, s1, s2, s3], userIds: [u0, u1] } = seeded;
  const leadId = crypto.randomUUID();
  await append(
    store,
    `lead-${leadId}`,
    leadCreated({ leadId, pipelineId, stageId: s0, fields: { company: 'Acme', dealValue: 1234.5 } }),
    leadMoved({ leadId, pipelineId, fromStageId: s0, toStageId: s1 }),
    leadMoved({ leadId, pipelineId, fromStageId: s1, toStageId: s0 }),
    leadMoved({ leadId, pipelineId, fromStageId: s0, toStageId: s1 }),
    leadMoved({ leadId, pipelineId, fromStageId: s1, toStageId: s2, wonValue: 1234.5 }),
    leadMoved({ leadId, pipelineId, fromStageId: s2, toStageId: s1 }),
    leadMoved({ leadId, pipelineId, fromStageId: s1, toStageId: s3, lostReason: 'budget' }),
  );
  const leadIds = [leadId, ...seeded.leadIds];
  const [a, b, c, d, e] = Array.from({ length: 5 }, () => crypto.randomUUID());
  const [t1, t2, t3] = Array.from({ length: 3 }, () => crypto.randomUUID());
  const l0 = leadIds[0];
  const l1 = leadIds[1];
  const steps: [string, NewEvent[]][] = [
    [`activity-${a}`, [logged(a, l0, u0, 'call', 'Intro call', { scheduledAt: '2026-03-05T10:00:00.123456Z' })]],
    [`activity-${b}`, [logged(b, l0, u1, 'note', 'Budget', { completion: { completedAt: '2026-03-01T10:00:00.000Z', outcome: 'noted', durationMinutes: 0 } })]],
    [`template-${t1}`, [templateSaved(t1, 'Intro', 'Intro call')]],
    [`lead-${l0}`, [leadDetailsUpdated(l0, { probability: 40 })]],
    [`activity-${a}`, [updated(a, l0, { subject: 'Discovery call', details: { direction: 'inbound', phoneNumber: '555' } })]],
    [`template-${t2}`, [templateSaved(t2, 'Demo', 'Demo meeting')]],
    [`activity-${c}`, [logged(c, l1, u0, 'meeting', 'Demo', { scheduledAt: '2026-03-06T15:30:00+02:00', templateId: t2 })]],
    [`activity-${a}`, [updated(a, l0, { scheduledAt: '2026-03-07T09:00:00.000Z', description: null, userId: u1 })]],
    [`template-${t1}`, [templateSaved(t1, 'Intro v2', 'First call')]],
    [`activity-${b}`, [deleted(b, l0, 'wrong lead')]],
    [`lead-${l1}`, [leadAssigned(l1, u1, u0), leadMoved({ leadId: l1, pipelineId, fromStageId: s0, toStageId: s1 })]],
    [`activity-${c}`, [updated(c, l1, { details: { location: 'Zoom', attendees: ['a@example.com'] } }), completed(c, l1, 'held', 45)]],
    [`template-${t2}`, [newEvent('ActivityTemplateDeleted', { templateId: t2 })]],
    [`activity-${a}`, [completed(a, l0, 'successful', 12), updated(a, l0, { subject: 'Discovery call (done)' })]],
    [`activity-${d}`, [logged(d, l1, u1, 'call', 'Follow up'), updated(d, l1, { subject: 'Follow-up call' }), deleted(d, l1, null)]],
    [`template-${t3}`, [templateSaved(t3, 'Gone', 'Gone'), newEvent('ActivityTemplateDeleted', { templateId: t3 })]],
    [`template-${t2}`, [templateSaved(t2, 'Demo again', 'Demo meeting')]],
    [`activity-${e}`, [logged(e, l0, u0, 'note', 'Last word')]],
    [`activity-${c}`, [completed(c, l1, null, null)]],
    [`lead-${l0}`, [leadAssigned(l0, u0)]],
    [`activity-${e}`, [updated(e, l0, { details: { pinned: true }, description: 'pinned now' })]],
  ];
  let checkpoint = '';
  for (const [streamId, events] of steps) checkpoint = await append(store, streamId, ...events);
  return { leadIds, activityIds: [a, b, c, d, e], templateIds: [t1, t2, t3], checkpoint };
}

export { readUntil } from '../../test-support/events.ts';
