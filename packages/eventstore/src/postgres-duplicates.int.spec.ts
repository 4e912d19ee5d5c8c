import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { NewEvent } from './port.ts';
import { PostgresEventStore } from './postgres.ts';

const event = (type: string): NewEvent => {
  const eventId = crypto.randomUUID();
  return { eventId, type, data: {}, metadata: { eventId, actorId: 'test', occurredAt: new Date().toISOString(), schemaVersion: 1 } };
};

describe('postgres appends of the same event ids racing for one stream', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.create(db.pool, db.url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('answers the one that waited for the stream lock as an idempotent re-append, not an error', async () => {
    const stream = `race-${crypto.randomUUID()}`;
    await store.append(stream, [event('First')], 'no_stream');
    // Hold the stream's row so both appends get past their duplicate check and wait for the lock.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT version FROM es.streams WHERE stream_id = $1 FOR UPDATE', [stream]);
    const events = [event('A'), event('B')];
    const appends = [store.append(stream, events, 'any'), store.append(stream, events, 'any')];
    for (const deadline = Date.now() + 10_000; ; ) {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%append_events%'`);
      if (rows[0].n >= 2 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await holder.query('COMMIT');
    await holder.end();
    const results = await Promise.all(appends);
    expect(results.map((r) => r.written).sort()).toEqual([false, true]);
    expect(results[0]).toMatchObject({ version: 3, checkpoint: results[1].checkpoint });
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['First', 'A', 'B']);
  });
});
