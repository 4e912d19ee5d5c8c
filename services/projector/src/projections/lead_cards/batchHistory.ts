import crypto from 'node:crypto';
import type { EventStore, NewEvent, StoredEvent } from '@leadline/eventstore';
import { append, leadAssigned, leadCreated, leadDetailsUpdated, leadMoved, newEvent, pipelineCreated, readUntil, stageAdded } from '../../test-support/events.ts';

/** A seeded generator: the same history shape on every run. */
const generator = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const stageUpdated = (pipelineId: string, stageId: string, s: { probability: number; isWon?: boolean; isLost?: boolean }) =>
  newEvent('StageUpdated', { pipelineId, stageId, name: 'S', color: '#64748B', isActive: true, isWon: s.isWon ?? false, isLost: s.isLost ?? false, probability: s.probability, rottingDays: null });

const activityLogged = (leadId: string) =>
  newEvent('ActivityLogged', {
    activityId: crypto.randomUUID(), leadId, type: 'call', userId: crypto.randomUUID(), subject: 'Call', description: null, scheduledAt: null, details: {}, completion: null, templateId: null,
  });

const activityCompleted = (leadId: string) =>
  newEvent('ActivityCompleted', { activityId: crypto.randomUUID(), leadId, completedAt: '2026-03-02T10:00:00.000Z', outcome: null, durationMinutes: null });

/**
 * A history for the set-based handlers of lead_cards and stage_totals: leads with many events each,
 * interleaved, moved back and forth, won then reopened, lost with a reason, edited in every way;
 * stages re-weighed and made won or not between moves; a stage added after leads were put in it;
 * events on unknown leads and stages. Returns every stored event in log order.
 */
export async function batchHistory(store: EventStore, leads = 30, seed = 7): Promise<StoredEvent[]> {
  const random = generator(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const pipelineId = crypto.randomUUID();
  const [open, proposal, won, lost, late] = Array.from({ length: 5 }, () => crypto.randomUUID());
  await append(
    store,
    `pipeline-${pipelineId}`,
    pipelineCreated(pipelineId),
    stageAdded(pipelineId, open, { probability: 10 }),
    stageAdded(pipelineId, proposal, { probability: 55, orderPosition: 1 }),
    stageAdded(pipelineId, won, { probability: 100, orderPosition: 2, isWon: true }),
    stageAdded(pipelineId, lost, { probability: 0, orderPosition: 3, isLost: true }),
  );
  const owners = [crypto.randomUUID(), crypto.randomUUID(), null];
  const scripts: { streamId: string; events: NewEvent[] }[] = [];
  for (let i = 0; i < leads; i++) {
    const leadId = crypto.randomUUID();
    let stage: string = pick([open, open, proposal, late]);
    const events: NewEvent[] = [leadCreated({ leadId, pipelineId, stageId: stage, rank: `a${i}`, fields: { company: `C${i}`, dealValue: i % 4 === 0 ? null : 100 * i + 0.25, probability: i % 3 === 0 ? 30 : null } })];
    const move = (to: string, extra: { lostReason?: string; wonValue?: number | null } = {}) => {
      events.push(leadMoved({ leadId, pipelineId, fromStageId: stage, toStageId: to, rank: `r${events.length}`, ...extra }));
      stage = to;
    };
    for (let k = 0; k < 4 + Math.floor(random() * 10); k++) {
      const op = Math.floor(random() * 12);
      if (op === 0) events.push(leadDetailsUpdated(leadId, { firstName: `F${k}`, dealValue: k * 10.5, customFields: { k } }));
      else if (op === 1) events.push(leadDetailsUpdated(leadId, { probability: pick([null, 5, 90]), email: null }));
      else if (op === 2) events.push(newEvent('LeadDealValueChanged', { leadId, from: null, to: pick([null, 0, 1234.56, 1e13]) }));
      else if (op === 3) events.push(newEvent('LeadProbabilityChanged', { leadId, from: null, to: pick([null, 0, 45, 100]) }));
      else if (op === 4) events.push(newEvent('LeadExpectedCloseDateChanged', { leadId, from: null, to: pick([null, '2026-07-01']) }));
      else if (op === 5) events.push(leadAssigned(leadId, pick(owners)));
      else if (op === 6) move(pick([open, proposal, late]));
      else if (op === 7) move(stage);
      else if (op === 8) move(won, { wonValue: pick([null, 500]) });
      else if (op === 9) move(lost, { lostReason: pick(['budget', 'timing']) });
      else if (op === 10) events.push(activityLogged(leadId));
      else events.push(activityCompleted(leadId));
      if (stage === won && random() < 0.5) move(open);
    }
    scripts.push({ streamId: `lead-${leadId}`, events });
    // Before the lead exists: no effect.
    if (i % 7 === 0) await append(store, `activity-${leadId}`, activityLogged(leadId));
  }
  const stageEvents = [
    stageUpdated(pipelineId, proposal, { probability: 70 }),
    stageUpdated(pipelineId, won, { probability: 100, isWon: false }),
    stageAdded(pipelineId, late, { probability: 35, orderPosition: 4 }),
    stageUpdated(pipelineId, won, { probability: 95, isWon: true }),
    stageUpdated(pipelineId, crypto.randomUUID(), { probability: 20 }),
    stageUpdated(pipelineId, proposal, { probability: 40 }),
    stageUpdated(pipelineId, late, { probability: 60 }),
  ];
  const ghost = crypto.randomUUID();
  stageEvents.push(activityLogged(ghost), leadAssigned(ghost, owners[0]), newEvent('LeadDealValueChanged', { leadId: ghost, from: null, to: 5 }));
  // About one stage event per (iterations / stage events): spread over the leads' histories.
  const iterations = scripts.reduce((n, s) => n + s.events.length, 0) / 2;
  // The last append's checkpoint, whichever stream it went to: the history is read up to it.
  let checkpoint = '';
  while (scripts.some((s) => s.events.length > 0)) {
    if (stageEvents.length > 0 && random() < 12 / iterations) checkpoint = await append(store, `pipeline-${pipelineId}`, stageEvents.shift()!);
    const script = pick(scripts.filter((s) => s.events.length > 0));
    checkpoint = await append(store, script.streamId, ...script.events.splice(0, 1 + Math.floor(random() * 3)));
  }
  for (const event of stageEvents) checkpoint = await append(store, `pipeline-${pipelineId}`, event);
  return readAllUpTo(store, checkpoint);
}

/** Every event up to `checkpoint`, once readable. */
export const readAllUpTo = (store: EventStore, checkpoint: string): Promise<StoredEvent[]> => readUntil(store, '', checkpoint);
