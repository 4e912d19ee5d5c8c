import type { EventType } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import { applyEvent, payloadOf, type Aggregate } from './events.ts';

export type FoldedState<S> = { state: S; version: number; checkpoint: string };

type Entry = FoldedState<unknown> & { aggregate: Aggregate<unknown> };

export const CACHED_AGGREGATES = 10_000;

/**
 * Folded state of the streams commands read for context (a lead's pipeline, an owner), kept per
 * process as (state, version). Events are immutable, so a cached fold is a valid starting point:
 * every load still reads the stream's tail after the cached version before it answers, so a
 * decision never sees less than a full read at that moment would. What it saves is re-reading and
 * re-folding the whole stream on every command. Least recently used entries go first.
 */
export class AggregateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = CACHED_AGGREGATES) {}

  get size(): number {
    return this.entries.size;
  }

  async load<S, T extends EventType>(store: EventStore, streamId: string, aggregate: Aggregate<S, T>): Promise<FoldedState<S>> {
    const hit = this.entries.get(streamId);
    const base = hit && hit.aggregate === (aggregate as unknown) ? { state: hit.state as S, version: hit.version, checkpoint: hit.checkpoint } : undefined;
    let start: FoldedState<S> = base ?? { state: aggregate.initialState, version: 0, checkpoint: '' };
    let tail = await store.readStream(streamId, { fromVersion: start.version });
    if (tail.length > 0 && tail[0].streamVersion !== start.version + 1) {
      // Not the continuation of what was cached (a store that was replaced under us): fold it all again.
      start = { state: aggregate.initialState, version: 0, checkpoint: '' };
      tail = await store.readStream(streamId);
    }
    let state = start.state;
    for (const event of tail) state = applyEvent(aggregate, state, payloadOf(event));
    const last = tail[tail.length - 1];
    const folded = last ? { state, version: last.streamVersion, checkpoint: last.checkpoint } : start;
    this.remember(streamId, aggregate as unknown as Aggregate<unknown>, folded);
    return folded;
  }

  private remember(streamId: string, aggregate: Aggregate<unknown>, folded: FoldedState<unknown>): void {
    if (folded.version === 0) return; // a missing stream: nothing to save, and ids from requests must not fill the cache
    const current = this.entries.get(streamId);
    // A concurrent load may already have cached a later version.
    const keep = current && current.aggregate === aggregate && current.version > folded.version ? current : { ...folded, aggregate };
    this.entries.delete(streamId);
    this.entries.set(streamId, keep);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

const caches = new WeakMap<EventStore, AggregateCache>();

/** One cache per store: two stores (two databases in one test process) never share a fold. */
export function aggregateCacheOf(store: EventStore): AggregateCache {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new AggregateCache()));
  return cache;
}

/** The state of a context stream (pipeline, user) from the process cache and the stream's fresh tail. */
export function loadCachedState<S, T extends EventType>(store: EventStore, streamId: string, aggregate: Aggregate<S, T>): Promise<FoldedState<S>> {
  return aggregateCacheOf(store).load(store, streamId, aggregate);
}
