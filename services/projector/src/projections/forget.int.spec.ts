import crypto from 'node:crypto';
import { erasePersonal } from '@leadline/contracts';
import type { StoredEvent } from '@leadline/eventstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectInBatches } from '../test-support/equivalence.ts';
import { append, leadCreated, leadDetailsUpdated, leadMoved, newEvent, pipelineCreated, readUntil, stageAdded } from '../test-support/events.ts';
import { projectorHarness, type ProjectorHarness } from '../test-support/harness.ts';
import { projections } from './index.ts';

const PERSONAL = ['Ada', 'Lovelace', 'ada@example.com', '+44 20 7946 0000', 'Byron', 'about the engine', 'she said yes', '555 0100', 'wrong person'];

/**
 * Forgetting, as the projections see it: a LeadForgotten erases the lead's personal values from
 * every row, whatever came before it in the batch, and the rows are exactly those a rebuild makes
 * from the erased events (sealed events whose key is gone, or events rewritten in place).
 */
describe('LeadForgotten in every projection', () => {
  let h: ProjectorHarness;
  let events: StoredEvent[];
  const leadId = crypto.randomUUID();
  const other = crypto.randomUUID();

  beforeAll(async () => {
    h = await projectorHarness();
    const pipelineId = crypto.randomUUID();
    const [s1, s2] = [crypto.randomUUID(), crypto.randomUUID()];
    await append(h.store, `pipeline-${pipelineId}`, pipelineCreated(pipelineId), stageAdded(pipelineId, s1, { name: 'New' }), stageAdded(pipelineId, s2, { name: 'Next', orderPosition: 1 }));
    const fields = { firstName: 'Ada', lastName: 'Byron', email: 'ada@example.com', phone: '+44 20 7946 0000', company: 'Engines', dealValue: 5000 };
    const [call, note] = [crypto.randomUUID(), crypto.randomUUID()];
    await append(h.store, `lead-${other}`, leadCreated({ leadId: other, pipelineId, stageId: s1, fields: { firstName: 'Grace', company: 'Navy' } }));
    await append(h.store, `lead-${leadId}`, leadCreated({ leadId, pipelineId, stageId: s1, fields }), leadDetailsUpdated(leadId, { lastName: 'Lovelace', city: 'London' }));
    await append(h.store, `activity-${call}`, newEvent('ActivityLogged', {
      activityId: call, leadId, type: 'call', userId: crypto.randomUUID(), subject: 'Call Ada', description: 'about the engine', scheduledAt: null,
      details: { direction: 'outbound', phoneNumber: '555 0100' }, completion: { completedAt: '2026-03-01T10:00:00.000Z', outcome: 'successful', durationMinutes: 5 }, templateId: null,
    }));
    await append(h.store, `activity-${note}`, newEvent('ActivityLogged', {
      activityId: note, leadId, type: 'note', userId: crypto.randomUUID(), subject: 'Ada', description: null, scheduledAt: null, details: { pinned: false }, completion: null, templateId: null,
    }), newEvent('ActivityCompleted', { activityId: note, leadId, completedAt: '2026-03-01T11:00:00.000Z', outcome: 'she said yes', durationMinutes: null }), newEvent('ActivityDeleted', { activityId: note, leadId, reason: 'wrong person' }));
    await append(h.store, `lead-${leadId}`, leadMoved({ leadId, pipelineId, fromStageId: s1, toStageId: s2 }), newEvent('LeadForgotten', { leadId, reason: 'request 17' }));
    const last = await append(h.store, `lead-${leadId}`, leadMoved({ leadId, pipelineId, fromStageId: s2, toStageId: s1 }));
    events = await readUntil(h.store, '', last);
  });
  afterAll(() => h.dispose());

  /** The log as a rebuild after the forget reads it: the forgotten lead's events erased (no key, or rewritten in place). */
  const erased = (list: StoredEvent[]) => list.map((e) => ((e.data as { leadId?: string }).leadId === leadId ? { ...e, data: erasePersonal(e.type, e.data) } : e));

  it.each(projections.map((p) => [p.name, p] as const))('%s: no personal value of the lead is left, and a rebuild from the erased events gives the same rows', async (_name, projection) => {
    const live = await projectInBatches(h.db.pool, projection, events, 'fg_live', () => 3);
    const oneByOne = await projectInBatches(h.db.pool, projection, events, 'fg_one', () => 1);
    const rebuilt = await projectInBatches(h.db.pool, projection, erased(events), 'fg_rebuild', () => Number.MAX_SAFE_INTEGER);
    expect(live).toEqual(oneByOne);
    expect(rebuilt).toEqual(live);
    const text = live.flatMap((t) => t.rows).join('\n');
    for (const value of PERSONAL) expect(text, value).not.toContain(value);
    // The other lead keeps its data; the forgotten one its non-personal history.
    if (projection.name === 'lead_cards') {
      expect(text).toContain('Grace');
      const row = JSON.parse(live[0].rows.find((r) => r.includes(leadId))!);
      expect(row).toMatchObject({ first_name: 'Erased', last_name: null, email: null, phone: null, company: 'Engines', city: 'London', deal_value: 5000 });
      expect(row.forgotten_at).not.toBeNull();
    }
    if (projection.name === 'activities') expect(text).toContain('"outcome": "successful"');
  });
});
