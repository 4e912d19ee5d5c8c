import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { append, newEvent, readUntil } from '../test-support/events.ts';
import { projectorHarness, type ProjectorHarness } from '../test-support/harness.ts';
import { LogFeed } from './feed.ts';

const note = (i: number) => newEvent('PipelineRenamed', { pipelineId: '00000000-0000-4000-8000-000000000001', name: `P${i}` });

describe('LogFeed: one read of the log for every projection', () => {
  let h: ProjectorHarness;
  beforeAll(async () => {
    h = await projectorHarness();
    let last = '';
    for (let i = 0; i < 25; i++) last = await append(h.store, 'pipeline-00000000-0000-4000-8000-000000000001', note(i));
    // Readable once no other test file's transaction holds the cluster's xmin below them.
    await readUntil(h.store, '', last);
  });
  afterAll(() => h.dispose());

  it('serves runners asking for the same page from one store read, and pages that contain a checkpoint from memory', async () => {
    const feed = new LogFeed(h.store);
    const [a, b, c] = await Promise.all([feed.read('', 10), feed.read('', 10), feed.read('', 10)]);
    expect(feed.reads).toBe(1);
    expect(a).toHaveLength(10);
    expect(b).toBe(a);
    expect(c).toBe(a);
    // A runner whose checkpoint lies inside a cached page gets the rest of it and falls into step.
    const inside = await feed.read(a[3].checkpoint, 10);
    expect(feed.reads).toBe(1);
    expect(inside.map((e) => e.eventId)).toEqual(a.slice(4).map((e) => e.eventId));
    const next = await feed.read(a[9].checkpoint, 10);
    expect(feed.reads).toBe(2);
    expect(next[0].checkpoint > a[9].checkpoint).toBe(true);
    // The same events come back as the store gives them, in order, none skipped.
    const all = await h.store.readAll({ after: '', limit: 20 });
    expect([...a, ...next].map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
  });

  it('never keeps a page that ended at the head: the next read sees what arrived since', async () => {
    const feed = new LogFeed(h.store);
    const head = await feed.read('', 1000);
    expect(head).toHaveLength(25);
    await readUntil(h.store, '', await append(h.store, 'pipeline-00000000-0000-4000-8000-000000000001', note(99)));
    const again = await feed.read('', 1000);
    expect(again).toHaveLength(26);
    expect(feed.reads).toBe(2);
  });

  it('evicts the oldest pages beyond its budget and reads them again when asked', async () => {
    const feed = new LogFeed(h.store, 10);
    const first = await feed.read('', 5);
    await feed.read(first[4].checkpoint, 5);
    const third = await feed.read((await feed.read(first[4].checkpoint, 5))[4].checkpoint, 5);
    expect(third).toHaveLength(5);
    const reads = feed.reads;
    await feed.read('', 5);
    expect(feed.reads).toBe(reads + 1);
  });
});
