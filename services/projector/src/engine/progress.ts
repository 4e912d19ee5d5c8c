import type { EventStore } from '@leadline/eventstore';
import type { Queryable } from './types.ts';

/** Events in the log now, when the store can count them cheaply (PostgreSQL); else null. */
export async function logSize(db: Queryable, store: EventStore): Promise<number | null> {
  if (store.kind !== 'postgres') return null;
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::float8 AS n FROM es.events');
  return rows[0].n;
}

export type RebuildEstimate = { processed: number; total: number | null; eventsPerSecond: number | null; etaSeconds: number | null };

/** Done / total, rate and time left of a rebuild from its row (`elapsedSeconds` since it was requested). */
export function estimate(processed: number, total: number | null, elapsedSeconds: number): RebuildEstimate {
  const eventsPerSecond = elapsedSeconds > 0 && processed > 0 ? processed / elapsedSeconds : null;
  const left = total === null ? null : Math.max(0, total - processed);
  const etaSeconds = left === null || eventsPerSecond === null ? null : left / eventsPerSecond;
  return { processed, total, eventsPerSecond, etaSeconds };
}
