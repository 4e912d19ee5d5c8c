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
