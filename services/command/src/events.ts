import { eventDataSchemas, upcast, type EventData, type EventType } from '@leadline/contracts';
import type { Role } from '@leadline/platform';
import { assertReadable, type EventStore, type NewEvent, type StoredEvent } from '@leadline/eventstore';
import { eventIdFor } from './ids.ts';

/** An event as deciders produce it and evolve consumes it: the name and the payload, no metadata. */
export type EventPayload<T extends EventType = EventType> = T extends EventType ? { type: T; data: EventData<T> } : never;

export type Actor = { userId: string; role: Role };

/** What every command carries besides its data: who, when, and under which ids. */
export type CommandMetadata = {
  commandId: string;
  correlationId: string;
  actor: Actor;
  /** ISO timestamp fixed when the request arrived. */
  occurredAt: string;
};

export function toNewEvents(events: EventPayload[], meta: CommandMetadata, scope = ''): NewEvent[] {
  return events.map((event, index) => {
    const eventId = eventIdFor(meta.commandId, index, scope);
    return {
      eventId,
      type: event.type,
      data: event.data,
      metadata: {
        eventId,
        commandId: meta.commandId,
        correlationId: meta.correlationId,
        causationId: meta.commandId,
        actorId: meta.actor.userId,
        occurredAt: meta.occurredAt,
        schemaVersion: eventDataSchemas[event.type].version,
      },
    };
  });
}

/** An aggregate's evolve sees only its own event types (an exhaustive switch over those alone). */
// evolve is declared as a method so that an Aggregate<S> may hold an evolve of fewer event types;
// applyEvent is what makes that safe at run time.
export type Aggregate<S, T extends EventType = EventType> = { initialState: S; eventTypes: readonly T[]; evolve(state: S, event: EventPayload<T>): S };

/** Applies an event of any type: events of other aggregates leave the state as it is. */
export function applyEvent<S, T extends EventType>(aggregate: Aggregate<S, T>, state: S, event: EventPayload): S {
  return (aggregate.eventTypes as readonly EventType[]).includes(event.type) ? aggregate.evolve(state, event as EventPayload<T>) : state;
}

export type Loaded<S> = {
  streamId: string;
  state: S;
  /** Number of events in the stream (0 = no stream). */
  version: number;
  /** Checkpoint of the stream's last event, '' for an empty stream. */
  checkpoint: string;
  events: StoredEvent[];
};

/** Stored events are brought to their current schema version before evolve sees them; an event whose sealed values do not open throws. */
export function payloadOf(stored: StoredEvent): EventPayload {
  assertReadable(stored);
  const schemaVersion = Number(stored.metadata.schemaVersion ?? 1);
  return upcast(stored.type, schemaVersion, stored.data) as EventPayload;
}

export async function loadAggregate<S, T extends EventType>(store: EventStore, streamId: string, aggregate: Aggregate<S, T>): Promise<Loaded<S>> {
  const events = await store.readStream(streamId);
  const state = events.reduce((s, e) => applyEvent(aggregate, s, payloadOf(e)), aggregate.initialState);
  const last = events[events.length - 1];
  return { streamId, state, version: last?.streamVersion ?? 0, checkpoint: last?.checkpoint ?? '', events };
}
