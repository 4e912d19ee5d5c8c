import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createPool } from '@leadline/platform';

export type TestDatabase = { url: string; name: string; pool: pg.Pool; drop: () => Promise<void> };

/** A fresh, empty database in the run's embedded PostgreSQL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  const pool = createPool(url, { max: 20, applicationName: 'leadline-test' });
  return {
    url,
    name,
    pool,
    drop: async () => {
      await pool.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export { inject };
