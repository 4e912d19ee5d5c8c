import type { EventStore, StoredEvent } from '@leadline/eventstore';

/** The store returned events out of log order: applying them would corrupt the read models. */
export class LogOrderError extends Error {
  readonly name = 'LogOrderError';
}

/**
 * Reads the next page after a checkpoint and refuses a page that is not in strictly increasing
 * checkpoint order: a projection then stalls loudly instead of skipping or reordering events.
 */
export async function readPage(store: EventStore, after: string, limit: number): Promise<StoredEvent[]> {
  const events = await store.readAll({ after, limit });
  let previous = after;
  for (const event of events) {
    if (!(event.checkpoint > previous)) {
      throw new LogOrderError(`event store returned ${event.checkpoint} after ${previous} (reading after ${after}): events out of log order`);
    }
    previous = event.checkpoint;
  }
  return events;
}

/** A page for one projection: the events it handles, and the checkpoint it may advance to after them. */
export type ProjectionPage = { events: StoredEvent[]; to: string };

/**
 * Reads only the projection's event types when the store can say how far it scanned
 * (`readAllOfTypes`): a projection that handles few types neither reads nor parses the others, and
 * still advances over them. Other stores: the next page of the whole log.
 */
export async function readProjectionPage(store: EventStore, after: string, limit: number, types: readonly string[]): Promise<ProjectionPage> {
  if (!store.readAllOfTypes) {
    const events = await readPage(store, after, limit);
    return { events, to: events.length > 0 ? events[events.length - 1].checkpoint : after };
  }
  const { events, scannedTo } = await store.readAllOfTypes({ after, limit, types: [...types] });
  let previous = after;
  for (const event of events) {
    if (!(event.checkpoint > previous)) {
      throw new LogOrderError(`event store returned ${event.checkpoint} after ${previous} (reading after ${after}): events out of log order`);
    }
    previous = event.checkpoint;
  }
  if (scannedTo < previous) throw new LogOrderError(`event store scanned to ${scannedTo}, before its last event ${previous}`);
  return { events, to: scannedTo };
}
