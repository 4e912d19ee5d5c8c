import { describe, expect, it } from 'vitest';
import type { EventStore, StoredEvent } from '@leadline/eventstore';
import { AggregateCache, aggregateCacheOf } from './aggregateCache.ts';
import type { EventPayload } from './events.ts';
import { activeStage, pipelineAggregate } from './pipelines/pipeline.ts';
import { PIPELINE_ID, QUALIFIED, pipeline, pipelineEvents } from './testing/fixtures.ts';
import { userAggregate } from './users/user.ts';

/** Just enough of a store: streams in memory, and every readStream recorded with its fromVersion. */
function memoryStore() {
  const streams = new Map<string, StoredEvent[]>();
  const reads: { streamId: string; fromVersion: number; returned: number }[] = [];
  let position = 0;
  const store = {
    append(streamId: string, events: EventPayload[]) {
      const stream = streams.get(streamId) ?? [];
      for (const e of events) {
        position++;
        stream.push({ eventId: `e${position}`, streamId, streamVersion: stream.length + 1, checkpoint: String(position).padStart(40, '0'), type: e.type, data: e.data, metadata: { schemaVersion: 1 }, recordedAt: '' });
      }
      streams.set(streamId, stream);
    },
    async readStream(streamId: string, options: { fromVersion?: number } = {}) {
      const from = options.fromVersion ?? 0;
      const tail = (streams.get(streamId) ?? []).filter((e) => e.streamVersion > from);
      reads.push({ streamId, fromVersion: from, returned: tail.length });
      return tail;
    },
  };
  return { store, eventStore: store as unknown as EventStore, reads, streams };
}

const stream = `pipeline-${PIPELINE_ID}`;
const renamed = (i: number): EventPayload => ({ type: 'PipelineRenamed', data: { pipelineId: PIPELINE_ID, name: `Sales ${i}` } });

describe('AggregateCache', () => {
  it('reads a long stream once, then only the events after the cached version', async () => {
    const m = memoryStore();
    m.store.append(stream, [...pipelineEvents, ...Array.from({ length: 2000 }, (_, i) => renamed(i))]);
    const cache = new AggregateCache();
    const first = await cache.load(m.eventStore, stream, pipelineAggregate);
    const again = await cache.load(m.eventStore, stream, pipelineAggregate);
    expect(again).toEqual(first);
    expect(first.version).toBe(pipelineEvents.length + 2000);
    expect(m.reads.map((r) => [r.fromVersion, r.returned])).toEqual([[0, first.version], [first.version, 0]]);
  });

  it('always folds the fresh tail: a stage deleted after caching is gone before any decision sees the state', async () => {
    const m = memoryStore();
    m.store.append(stream, pipelineEvents);
    const cache = new AggregateCache();
    expect(activeStage((await cache.load(m.eventStore, stream, pipelineAggregate)).state, QUALIFIED)).toBeDefined();
    m.store.append(stream, [{ type: 'StageDeleted', data: { pipelineId: PIPELINE_ID, stageId: QUALIFIED, moveToStageId: null } }]);
    const fresh = await cache.load(m.eventStore, stream, pipelineAggregate);
    expect(activeStage(fresh.state, QUALIFIED)).toBeUndefined();
    expect(fresh.version).toBe(pipelineEvents.length + 1);
    expect(m.reads.at(-1)).toMatchObject({ fromVersion: pipelineEvents.length, returned: 1 });
    // Same state as a full fold of the stream.
    expect(fresh.state).toEqual((await new AggregateCache().load(m.eventStore, stream, pipelineAggregate)).state);
  });

  it('keeps at most max streams, dropping the least recently used', async () => {
    const m = memoryStore();
    for (const id of ['a', 'b', 'c']) m.store.append(`pipeline-${id}`, pipelineEvents);
    const cache = new AggregateCache(2);
    await cache.load(m.eventStore, 'pipeline-a', pipelineAggregate);
    await cache.load(m.eventStore, 'pipeline-b', pipelineAggregate);
    await cache.load(m.eventStore, 'pipeline-a', pipelineAggregate); // a is now the most recent
    await cache.load(m.eventStore, 'pipeline-c', pipelineAggregate); // b goes
    expect(cache.size).toBe(2);
    m.reads.length = 0;
    await cache.load(m.eventStore, 'pipeline-a', pipelineAggregate);
    await cache.load(m.eventStore, 'pipeline-b', pipelineAggregate);
    expect(m.reads.map((r) => [r.streamId, r.fromVersion])).toEqual([['pipeline-a', pipelineEvents.length], ['pipeline-b', 0]]);
  });

  it('does not cache missing streams, nor share a fold between aggregates or stores', async () => {
    const m = memoryStore();
    const cache = new AggregateCache();
    expect((await cache.load(m.eventStore, 'user-nobody', userAggregate)).state).toEqual({ status: 'none' });
    expect(cache.size).toBe(0);
    m.store.append(stream, pipelineEvents);
    await cache.load(m.eventStore, stream, pipelineAggregate);
    m.reads.length = 0;
    await cache.load(m.eventStore, stream, userAggregate);
    expect(m.reads[0].fromVersion).toBe(0);

    const other = memoryStore();
    expect(aggregateCacheOf(m.eventStore)).toBe(aggregateCacheOf(m.eventStore));
    expect(aggregateCacheOf(other.eventStore)).not.toBe(aggregateCacheOf(m.eventStore));
  });

  it('folds from the start again when the stored stream does not continue the cached version', async () => {
    const m = memoryStore();
    m.store.append(stream, [...pipelineEvents, renamed(1)]);
    const cache = new AggregateCache();
    await cache.load(m.eventStore, stream, pipelineAggregate);
    // The store now answers the cached version's successor as missing: version v+2 follows v.
    m.store.append(stream, [renamed(2)]);
    m.streams.set(stream, m.streams.get(stream)!.filter((e) => e.streamVersion !== pipelineEvents.length + 1));
    const folded = await cache.load(m.eventStore, stream, pipelineAggregate);
    expect(folded.state).toEqual({ ...pipeline, name: 'Sales 2' });
  });
});
