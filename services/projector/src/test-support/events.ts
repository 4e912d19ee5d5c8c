import crypto from 'node:crypto';
import { completeLeadFields, eventDataSchemas, leadFields, type EventData, type EventType, type LeadFields } from '@leadline/contracts';
import type { EventStore, NewEvent, StoredEvent } from '@leadline/eventstore';

const EPOCH = Date.parse('2026-03-01T09:00:00.000Z');
let tick = 0;

/** A fixed, increasing clock: the rows a test expects do not depend on when it runs. */
export const nextOccurredAt = (): string => new Date(EPOCH + ++tick * 1000).toISOString();

/** A stored-shape event whose data passes its contract schema and whose metadata is complete. */
export function newEvent<T extends EventType>(type: T, data: EventData<T>, occurredAt = nextOccurredAt()): NewEvent {
  const eventId = crypto.randomUUID();
  const commandId = crypto.randomUUID();
  return {
    eventId,
    type,
    data: eventDataSchemas[type].data.parse(data),
    metadata: {
      eventId,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actorId: 'test',
      occurredAt,
      schemaVersion: eventDataSchemas[type].version,
    },
  };
}

export const emptyFields = (): LeadFields => completeLeadFields();

export const pipelineCreated = (pipelineId: string, name = 'Sales', isDefault = true) => newEvent('PipelineCreated', { pipelineId, name, isDefault });

export const stageAdded = (pipelineId: string, stageId: string, s: Partial<Omit<EventData<'StageAdded'>, 'pipelineId' | 'stageId'>> = {}) =>
  newEvent('StageAdded', {
    pipelineId,
    stageId,
    name: s.name ?? 'New',
    color: s.color ?? '#64748B',
    orderPosition: s.orderPosition ?? 0,
    isActive: s.isActive ?? true,
    isWon: s.isWon ?? false,
    isLost: s.isLost ?? false,
    probability: s.probability ?? 10,
    rottingDays: s.rottingDays ?? null,
  });

export const leadCreated = (l: { leadId: string; pipelineId: string; stageId: string; rank?: string; ownerId?: string | null; fields?: Partial<LeadFields> }) =>
  newEvent('LeadCreated', {
    leadId: l.leadId,
    pipelineId: l.pipelineId,
    stageId: l.stageId,
    rank: l.rank ?? 'U',
    ownerId: l.ownerId ?? null,
    fields: leadFields.parse({ ...emptyFields(), ...l.fields }),
  });

/** `to` values of the changed fields; `from` is not read by projections. */
export const leadDetailsUpdated = (leadId: string, to: Partial<LeadFields>) =>
  newEvent('LeadDetailsUpdated', { leadId, changes: Object.fromEntries(Object.entries(to).map(([k, v]) => [k, { from: null, to: v }])) });

export const leadMoved = (m: { leadId: string; pipelineId: string; fromStageId: string; toStageId: string; rank?: string; lostReason?: string | null; wonValue?: number | null }) =>
  newEvent('LeadMovedToStage', {
    leadId: m.leadId,
    pipelineId: m.pipelineId,
    fromStageId: m.fromStageId,
    toStageId: m.toStageId,
    rank: m.rank ?? 'U',
    lostReason: m.lostReason ?? null,
    wonValue: m.wonValue ?? null,
  });

export const leadAssigned = (leadId: string, ownerId: string | null, previousOwnerId: string | null = null) =>
  newEvent('LeadAssigned', { leadId, ownerId, previousOwnerId, reason: null, via: 'manual', ruleId: null, ruleName: null, matched: [] });

export const userCreated = (u: { userId: string; email: string; name: string; role?: EventData<'UserCreated'>['role'] }) =>
  newEvent('UserCreated', { userId: u.userId, email: u.email, name: u.name, role: u.role ?? 'rep' });

/** Appends to a stream with expected version `any`; returns the checkpoint of the last event. */
export async function append(store: EventStore, streamId: string, ...events: NewEvent[]): Promise<string> {
  const result = await store.append(streamId, events, 'any');
  return result.checkpoint;
}

/**
 * The events after `after` up to `checkpoint`, once the log shows them all: the readable head may
 * stay below a fresh append while a transaction elsewhere in the cluster (another test file's) is open.
 */
export async function readUntil(store: EventStore, after: string, checkpoint: string, timeoutMs = 30_000): Promise<StoredEvent[]> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const events = await store.readAll({ after, limit: 100000 });
    if ((events.at(-1)?.checkpoint ?? after) >= checkpoint) return events;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the log to reach ${checkpoint}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
