import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { NewEvent } from './port.ts';
import { PostgresEventStore, WAKE_CHANNEL, notifyAppended } from './postgres.ts';

const event = (): NewEvent => {
  const eventId = crypto.randomUUID();
  return { eventId, type: 'Woken', data: {}, metadata: { eventId, actorId: 'test', occurredAt: new Date().toISOString(), schemaVersion: 1 } };
};

const until = async (done: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};

describe('postgres wake-ups (sent after the append commits, coalesced)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let listener: pg.Client;
  const received: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.create(db.pool, db.url);
    listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (n) => received.push(n.payload ?? ''));
    await listener.query(`LISTEN ${WAKE_CHANNEL}`);
  });
  afterAll(async () => {
    await listener?.end();
    await store?.close();
    await db?.drop();
  });

  /** The notices sent so far: a marker notified after them arrives after them (the queue is in commit order). */
  const settledNotices = async () => {
    await store.close(); // waits for the wake-up in flight and the one asked for behind it
    const marker = crypto.randomUUID();
    await db.pool.query('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, marker]);
    await until(() => received.includes(marker));
    const notices = received.splice(0).filter((p) => p !== marker);
    expect(notices.every((p) => p === '')).toBe(true);
    return notices.length;
  };

  it('no longer notifies inside the append: the trigger is gone', async () => {
    const { rows } = await db.pool.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'es.events'::regclass AND NOT tgisinternal`);
    expect(rows).toEqual([]);
  });

  it('a burst of concurrent appends wakes a listener, with far fewer notices than appends', async () => {
    await settledNotices();
    let woke = 0;
    const stop = await store.onAppended(() => woke++);
    await until(() => woke > 0); // the wake-up on connect
    const base = woke;
    const n = 64;
    const results = await Promise.all(Array.from({ length: n }, () => store.append(`wake-${crypto.randomUUID()}`, [event()], 'no_stream')));
    await until(() => woke > base);
    await stop();
    expect(woke).toBeGreaterThan(base);
    const notices = await settledNotices();
    expect(notices).toBeGreaterThanOrEqual(1);
    expect(notices).toBeLessThanOrEqual(n / 4);
    // Woken or not, every appended event is readable once the appends have returned and no transaction holds them back.
    // The horizon is pg_snapshot_xmin, which is cluster-wide: another test file's open transaction (another database, same
    // server) holds it back for a moment, so the head reaches the last append soon rather than at once.
    const last = results.map((r) => r.checkpoint).sort().at(-1)!;
    await expect.poll(() => store.headCheckpoint(), { timeout: 15_000, interval: 100 }).toBe(last);
  });

  it('sends a notice after every append that finishes while one is in flight', async () => {
    await settledNotices();
    // One by one, each append finds no notice in flight (the previous one settled): one notice each.
    for (let i = 0; i < 3; i++) {
      await store.append(`wake-${crypto.randomUUID()}`, [event()], 'no_stream');
      await store.close();
    }
    expect(await settledNotices()).toBe(3);
  });

  it('sends nothing for an idempotent re-append or a refused one', async () => {
    const s = `wake-${crypto.randomUUID()}`;
    const e = event();
    await store.append(s, [e], 'no_stream');
    await settledNotices();
    expect((await store.append(s, [e], 'no_stream')).written).toBe(false);
    await expect(store.append(s, [event()], 'no_stream')).rejects.toThrow();
    expect(await settledNotices()).toBe(0);
  });

  it('notifyAppended wakes listeners for writers that bypass the adapter', async () => {
    let woke = 0;
    const stop = await store.onAppended(() => woke++);
    await until(() => woke > 0);
    const base = woke;
    await notifyAppended(db.pool);
    await until(() => woke > base);
    await stop();
    expect(woke).toBeGreaterThan(base);
  });
});
