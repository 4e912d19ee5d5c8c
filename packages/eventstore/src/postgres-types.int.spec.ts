import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { PostgresEventStore } from './postgres.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const event = (type: string) => ({ eventId: crypto.randomUUID(), type, data: { n: 1 }, metadata: {} });

describe('postgres readAllOfTypes', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.create(db.pool, db.url);
  });
  /** Other databases of the test cluster may hold the xmin for a moment: wait until a checkpoint is readable. */
  const readable = async (checkpoint: string) => {
    for (let i = 0; i < 200 && (await store.headCheckpoint()) < checkpoint; i++) await sleep(25);
  };
  afterAll(async () => {
    await db.drop();
  });

  it('returns only the given types and how far it scanned, past events of other types', async () => {
    const start = await store.headCheckpoint();
    const stream = `t-${crypto.randomUUID()}`;
    let last = '';
    for (const type of ['A', 'B', 'A', 'B', 'B', 'A']) last = (await store.append(stream, [event(type)], 'any')).checkpoint;
    await readable(last);
    const all = await store.readAll({ after: start, limit: 100 });
    const head = await store.headCheckpoint();

    const bs = await store.readAllOfTypes({ after: start, types: ['B'], limit: 100 });
    expect(bs.events.map((e) => e.eventId)).toEqual(all.filter((e) => e.type === 'B').map((e) => e.eventId));
    expect(bs.scannedTo).toBe(head);

    // A full page stops at its last event: later events of the type may come before the window's end.
    const page = await store.readAllOfTypes({ after: start, types: ['B'], limit: 2 });
    expect(page.events.map((e) => e.type)).toEqual(['B', 'B']);
    expect(page.scannedTo).toBe(page.events[1].checkpoint);

    expect(await store.readAllOfTypes({ after: start, types: ['none'], limit: 100 })).toEqual({ events: [], scannedTo: head });
    expect(await store.readAllOfTypes({ after: head, types: ['A'], limit: 100 })).toEqual({ events: [], scannedTo: head });
  });

  it('never scans past a transaction that is still open, so a late commit is not skipped', async () => {
    const start = await store.headCheckpoint();
    await readable(start);
    const held = new pg.Client({ connectionString: db.url });
    await held.connect();
    const late = event('L');
    await held.query('BEGIN');
    await held.query('INSERT INTO es.streams (stream_id, version) VALUES ($1, 1)', [`late-${late.eventId}`]);
    await held.query(`INSERT INTO es.events (event_id, stream_id, stream_version, type, data, metadata) VALUES ($1, $2, 1, 'L', '{}', '{}')`, [late.eventId, `late-${late.eventId}`]);
    const mine = event('A');
    const mineAt = (await store.append(`t-${crypto.randomUUID()}`, [mine], 'any')).checkpoint;
    const before = await store.readAllOfTypes({ after: start, types: ['L', 'A'], limit: 100 });
    expect(before).toEqual({ events: [], scannedTo: start });
    await held.query('COMMIT');
    await held.end();
    await readable(mineAt); // its transaction began after the held one: both are readable then
    const after = await store.readAllOfTypes({ after: before.scannedTo, types: ['L', 'A'], limit: 100 });
    expect(after.events.map((e) => e.eventId)).toEqual([late.eventId, mine.eventId]);
  });

  it('committedCheckpoint covers an event committed above a transaction still open in the cluster; headCheckpoint does not', async () => {
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()'); // an xid: the cluster's xmin stays at it while open
      const appended = (await store.append(`c-${crypto.randomUUID()}`, [event('C')], 'no_stream')).checkpoint;
      expect(await store.committedCheckpoint()).toBe(appended);
      expect((await store.headCheckpoint()) < appended).toBe(true);
      await other.query('ROLLBACK');
      await readable(appended);
      expect(await store.headCheckpoint()).toBe(appended);
    } finally {
      await other.end();
    }
  });
});
