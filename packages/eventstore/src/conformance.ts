import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '@leadline/platform';
import type { EventStore, NewEvent } from './port.ts';
import { START, compareCheckpoints } from './port.ts';

export type ConformanceHarness = {
  store: EventStore;
  /** Moves the store's internal position counters to just below a digit-count boundary (e.g. 9,990 → 10,010), where text-vs-number ordering bugs show. */
  approachPositionBoundary?: () => Promise<void>;
  /**
   * Starts an append that stays uncommitted until `commit()` is called, so that a later
   * append can commit first. Stores with a single ordered writer may commit at once.
   */
  beginHeldAppend: (streamId: string, event: NewEvent) => Promise<{ commit: () => Promise<void> }>;
  dispose: () => Promise<void>;
};

const ev = (type = 'Tested', data: unknown = {}): NewEvent => ({
  eventId: crypto.randomUUID(),
  type,
  data,
  metadata: { commandId: crypto.randomUUID(), actorId: 'conformance', occurredAt: new Date().toISOString(), schemaVersion: 1 },
});
const stream = () => `conformance-${crypto.randomUUID()}`;

async function drain(store: EventStore, after: string, until: (ids: Set<string>) => boolean, timeoutMs = 5000) {
  const seen: string[] = [];
  let cp = after;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const batch = await store.readAll({ after: cp, limit: 1000 });
    for (const e of batch) {
      seen.push(e.eventId);
      cp = e.checkpoint;
    }
    if (until(new Set(seen))) break;
    if (batch.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  return { seen, checkpoint: cp };
}

/** The event store port's contract; every adapter runs it. */
export function describeEventStoreConformance(name: string, makeHarness: () => Promise<ConformanceHarness>) {
  describe(`event store conformance: ${name}`, () => {
    let h: ConformanceHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.dispose();
    });

    it('appends to a new stream and reads it back in order with versions from 1', async () => {
      const s = stream();
      const events = [ev('A', { n: 1 }), ev('B', { n: 2 })];
      const res = await h.store.append(s, events, 'no_stream');
      expect(res).toMatchObject({ version: 2, written: true });
      const read = await h.store.readStream(s);
      expect(read.map((e) => [e.type, e.streamVersion, e.data])).toEqual([['A', 1, { n: 1 }], ['B', 2, { n: 2 }]]);
      expect(read[1].checkpoint).toBe(res.checkpoint);
      expect(read[0].metadata).toMatchObject({ actorId: 'conformance' });
      expect((await h.store.readStream(s, { fromVersion: 1 })).map((e) => e.type)).toEqual(['B']);
    });

    it('reads a missing stream as empty', async () => {
      expect(await h.store.readStream(stream())).toEqual([]);
    });

    it('rejects a wrong expected version with a typed error carrying expected and actual', async () => {
      const s = stream();
      await h.store.append(s, [ev()], 'no_stream');
      const err = await h.store.append(s, [ev()], 'no_stream').catch((e) => e);
      expect(err).toBeInstanceOf(ConcurrencyError);
      expect(err).toMatchObject({ expected: 'no_stream', actual: 1 });
      const err2 = await h.store.append(s, [ev()], 5).catch((e) => e);
      expect(err2).toMatchObject({ expected: 5, actual: 1 });
      await expect(h.store.append(s, [ev()], 1)).resolves.toMatchObject({ version: 2 });
      await expect(h.store.append(s, [ev()], 'any')).resolves.toMatchObject({ version: 3 });
      const missing = await h.store.append(stream(), [ev()], 3).catch((e) => e);
      expect(missing).toMatchObject({ name: 'ConcurrencyError', actual: 0 });
    });

    it('treats re-appending stored event ids as a no-op', async () => {
      const s = stream();
      const events = [ev('A'), ev('B')];
      const first = await h.store.append(s, events, 'no_stream');
      const again = await h.store.append(s, events, 'no_stream');
      expect(again).toEqual({ version: first.version, checkpoint: first.checkpoint, written: false });
      expect(await h.store.readStream(s)).toHaveLength(2);
    });

    it('gives exactly one success to 50 concurrent appends with the same expected version', async () => {
      const s = stream();
      await h.store.append(s, [ev()], 'no_stream');
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => h.store.append(s, [ev()], 1)));
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(failed.every((r) => r.reason instanceof ConcurrencyError)).toBe(true);
      expect(await h.store.readStream(s)).toHaveLength(2);
    });

    it('reads all events after a checkpoint in commit order, filtered by type when asked', async () => {
      // Earlier events may become readable only now (another writer in the cluster held xmin back),
      // so this test looks at its own streams only.
      const head = await h.store.headCheckpoint();
      const s1 = stream();
      const s2 = stream();
      const events = [ev('X'), ev('Y'), ev('X')];
      await h.store.append(s1, [events[0]], 'no_stream');
      await h.store.append(s2, [events[1], events[2]], 'no_stream');
      const mine = new Set(events.map((e) => e.eventId));
      const { checkpoint } = await drain(h.store, head, (ids) => [...mine].every((id) => ids.has(id)));
      const all = (await h.store.readAll({ after: head, limit: 1000 })).filter((e) => mine.has(e.eventId));
      expect(all.map((e) => e.streamId)).toEqual([s1, s2, s2]);
      for (let i = 1; i < all.length; i++) expect(compareCheckpoints(all[i - 1].checkpoint, all[i].checkpoint)).toBe(-1);
      expect(compareCheckpoints(head, checkpoint)).toBe(-1);
      const onlyY = (await h.store.readAll({ after: head, types: ['Y'], limit: 1000 })).filter((e) => mine.has(e.eventId));
      expect(onlyY.map((e) => e.type)).toEqual(['Y']);
      expect(await h.store.readAll({ after: checkpoint })).toEqual([]);
      expect(compareCheckpoints(START, checkpoint)).toBe(-1);
    });

    it('reads all in append order across a position digit boundary', async () => {
      await h.approachPositionBoundary?.();
      const head = await h.store.headCheckpoint();
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const e = ev('Ordered', { i });
        ids.push(e.eventId);
        await h.store.append(stream(), [e], 'no_stream');
      }
      const mine = new Set(ids);
      await drain(h.store, head, (seen) => ids.every((id) => seen.has(id)));
      const read = (await h.store.readAll({ after: head, limit: 1000 })).filter((e) => mine.has(e.eventId));
      expect(read.map((e) => e.eventId)).toEqual(ids);
      for (let i = 1; i < read.length; i++) expect(compareCheckpoints(read[i - 1].checkpoint, read[i].checkpoint)).toBe(-1);
      expect(await h.store.headCheckpoint()).toBe(read[read.length - 1].checkpoint);
      expect(await h.store.committedCheckpoint()).toBe(read[read.length - 1].checkpoint);
      const tail = (await h.store.readAll({ after: read[19].checkpoint, limit: 1000 })).filter((e) => mine.has(e.eventId));
      expect(tail.map((e) => e.eventId)).toEqual(ids.slice(20));
    });

    it('delivers both of two appends that commit in reverse order of their positions', async () => {
      const head = await h.store.headCheckpoint();
      const early = ev('Early');
      const late = ev('Late');
      const held = await h.beginHeldAppend(stream(), early);
      await h.store.append(stream(), [late], 'no_stream');
      // A reader polling now must not move past the held append.
      const before = await h.store.readAll({ after: head, limit: 100 });
      const cp = before.length ? before[before.length - 1].checkpoint : head;
      await held.commit();
      const { seen } = await drain(h.store, cp, (ids) => ids.has(early.eventId) && ids.has(late.eventId));
      const delivered = new Set([...before.map((e) => e.eventId), ...seen]);
      expect(delivered.has(early.eventId)).toBe(true);
      expect(delivered.has(late.eventId)).toBe(true);
    });

    it('wakes subscribers when events are appended', async () => {
      let woke = 0;
      const stop = await h.store.onAppended(() => woke++);
      const base = woke;
      await h.store.append(stream(), [ev()], 'no_stream');
      const deadline = Date.now() + 3000;
      while (woke === base && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await stop();
      expect(woke).toBeGreaterThan(base);
    });
  });
}
