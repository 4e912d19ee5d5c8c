import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { createPool, isDatabaseUnavailable } from './db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('createPool', () => {
  it('a checked-out client whose server connection is killed does not crash the process; its next query fails as unavailable', async () => {
    const pool = createPool(db.url, { max: 2, applicationName: 'leadline-db-spec' });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // As a server restart does: the backend is terminated while the client sits checked out between queries.
      await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await new Promise((r) => setTimeout(r, 200));
      expect(uncaught).toEqual([]);
      const next = await client.query('SELECT 1').then(() => null, (err: unknown) => err);
      expect(isDatabaseUnavailable(next)).toBe(true);
      client.release(true);
      expect((await pool.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
    }
  });
});
