import crypto from 'node:crypto';
import type { EventStore, NewEvent, StoredEvent } from '@leadline/eventstore';
import { append, leadAssigned, leadCreated, leadDetailsUpdated, leadMoved, newEvent, pipelineCreated, readUntil, stageAdded } from '../../test-support/events.ts';

/** The same instant written another way: an offset and microseconds (both valid occurredAt). */
const withOccurredAt = (e: NewEvent, occurredAt: string): NewEvent => ({ ...e, metadata: { ...e.metadata, occurredAt } });

/**
 * A history for the batch specs of the pipeline projections: leads created, edited, moved back and
 * forth, won then reopened, lost with a reason, moved to another pipeline; several events of a
 * lead in a row and the streams interleaved; stages updated, reordered and deleted; events at the
 * same millisecond, with an offset and with microseconds; an event for a lead that was never created.
 */
export async function pipelineBatchHistory(store: EventStore, leads = 14): Promise<StoredEvent[]> {
  const [sales, partners] = [crypto.randomUUID(), crypto.randomUUID()];
  const [NEW, PROPOSAL, WON, LOST, P_NEW, P_WON] = Array.from({ length: 6 }, () => crypto.randomUUID());
  const owners = [crypto.randomUUID(), crypto.randomUUID(), null];
  await append(
    store,
    `pipeline-${sales}`,
    pipelineCreated(sales),
    stageAdded(sales, NEW, { name: 'New', orderPosition: 0, rottingDays: 7 }),
    stageAdded(sales, PROPOSAL, { name: 'Proposal', orderPosition: 1, probability: 70 }),
    stageAdded(sales, WON, { name: 'Won', orderPosition: 2, isWon: true, probability: 100 }),
    stageAdded(sales, LOST, { name: 'Lost', orderPosition: 3, isLost: true, probability: 0 }),
  );
  await append(store, `pipeline-${partners}`, pipelineCreated(partners, 'Partners', false), stageAdded(partners, P_NEW, { name: 'New' }), stageAdded(partners, P_WON, { name: 'Won', orderPosition: 1, isWon: true }));
  const ids = Array.from({ length: leads }, () => crypto.randomUUID());
  const move = (i: number, from: string, to: string, extra: { lostReason?: string; wonValue?: number; pipelineId?: string } = {}) =>
    leadMoved({ leadId: ids[i], pipelineId: extra.pipelineId ?? sales, fromStageId: from, toStageId: to, rank: `r${i}${from.slice(0, 2)}`, ...extra });
  // Each round appends a few events per lead, so the streams interleave in the log.
  const rounds: ((i: number) => NewEvent[])[] = [
    (i) => [leadCreated({ leadId: ids[i], pipelineId: sales, stageId: NEW, rank: `a${i}`, ownerId: owners[i % 3], fields: { company: `Co ${i}`, dealValue: 1000 * i + 0.25 } })],
    (i) => (i % 2 ? [leadDetailsUpdated(ids[i], { company: `Co ${i} Ltd`, email: `l${i}@example.com`, probability: 40 }), move(i, NEW, PROPOSAL)] : [move(i, NEW, NEW)]),
    (i) => (i % 3 === 0 ? [newEvent('LeadDealValueChanged', { leadId: ids[i], from: null, to: 123456789012.34 }), leadAssigned(ids[i], owners[(i + 1) % 3])] : []),
    (i) => (i % 2 ? [move(i, PROPOSAL, NEW), move(i, NEW, PROPOSAL), move(i, PROPOSAL, WON, { wonValue: 500.5 })] : [move(i, NEW, LOST, { lostReason: 'No budget' })]),
    (i) => (i % 4 === 1 ? [move(i, WON, PROPOSAL), newEvent('LeadProbabilityChanged', { leadId: ids[i], from: null, to: 5 })] : [newEvent('LeadExpectedCloseDateChanged', { leadId: ids[i], from: null, to: '2026-07-01' })]),
    (i) => (i % 5 === 0 ? [move(i, LOST, P_NEW, { pipelineId: partners }), leadAssigned(ids[i], owners[0]), move(i, P_NEW, P_WON, { pipelineId: partners, wonValue: 10 })] : []),
    (i) => (i % 5 === 0 ? [move(i, P_WON, NEW)] : []),
  ];
  for (const round of rounds) {
    for (let i = 0; i < leads; i++) {
      const events = round(i);
      if (events.length) await append(store, `lead-${ids[i]}`, ...events);
    }
  }
  const same = '2026-06-01T12:00:00.000Z';
  await append(store, `lead-${ids[1]}`, withOccurredAt(move(1, PROPOSAL, NEW), same), withOccurredAt(leadAssigned(ids[1], null), same), withOccurredAt(move(1, NEW, LOST, { lostReason: 'Timing' }), '2026-06-01T14:00:00.000123+02:00'));
  await append(store, `lead-${ids[2]}`, withOccurredAt(move(2, LOST, PROPOSAL), '2026-06-01T12:30:00.5+00:00'), withOccurredAt(move(2, PROPOSAL, WON, { wonValue: 1 }), '2026-06-02T00:00:00.000999Z'));
  await append(store, `lead-${crypto.randomUUID()}`, leadAssigned(crypto.randomUUID(), owners[0]));
  await append(
    store,
    `pipeline-${sales}`,
    newEvent('StageUpdated', { pipelineId: sales, stageId: PROPOSAL, name: 'Offer', color: '#112233', isActive: true, isWon: false, isLost: false, probability: 60, rottingDays: 3 }),
    newEvent('StagesReordered', { pipelineId: sales, stageIds: [PROPOSAL, NEW, WON, LOST] }),
    newEvent('StagesReordered', { pipelineId: sales, stageIds: [NEW, PROPOSAL, WON, LOST] }),
    newEvent('StageDeleted', { pipelineId: sales, stageId: LOST, moveToStageId: NEW }),
  );
  for (let i = 0; i < leads; i += 4) await append(store, `lead-${ids[i]}`, move(i, LOST, NEW), move(i, NEW, PROPOSAL));
  const last = await append(store, `pipeline-${sales}`, stageAdded(sales, crypto.randomUUID(), { name: 'Late', orderPosition: 3 }));
  return readUntil(store, '', last);
}
