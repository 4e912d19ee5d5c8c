import pg from 'pg';
import { createTestDatabase } from '@leadline/testing';
import { describeEventStoreConformance } from './conformance.ts';
import { PostgresEventStore } from './postgres.ts';

describeEventStoreConformance('postgres', async () => {
  const db = await createTestDatabase();
  const store = await PostgresEventStore.create(db.pool, db.url);
  return {
    store,
    approachPositionBoundary: async () => {
      // Each autocommitted call takes a fresh xid: burn them up to 20 below the next power of ten.
      const { rows } = await db.pool.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x');
      const xid = Number(rows[0].x);
      const boundary = 10 ** String(xid + 25).length;
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      for (let x = xid; x < boundary - 20; x++) await c.query('SELECT pg_current_xact_id()');
      await c.end();
    },
    beginHeldAppend: async (streamId, event) => {
      // Same SQL shape as the adapter's append, left open: it takes its global position now, commits later.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query('BEGIN');
      await c.query('INSERT INTO es.streams (stream_id, version) VALUES ($1, 1)', [streamId]);
      await c.query(`INSERT INTO es.events (event_id, stream_id, stream_version, type, data, metadata) VALUES ($1, $2, 1, $3, $4, $5)`, [
        event.eventId, streamId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata),
      ]);
      return { commit: async () => { await c.query('COMMIT'); await c.end(); } };
    },
    dispose: async () => {
      await store.close();
      await db.drop();
    },
  };
});
