import type pg from 'pg';
import { withTransaction } from './db.ts';

export type Migration = { id: string; sql: string };

/**
 * Applies each component's migrations once, in order, under an advisory lock so that
 * several services starting together against one database do not race.
 */
export async function runMigrations(pool: pg.Pool, component: string, migrations: Migration[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('leadline:migrations'))`);
    await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      component text NOT NULL, id text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (component, id))`);
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM public.schema_migrations WHERE component = $1`, [component]);
    const applied = new Set(rows.map((r) => r.id));
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      await client.query(m.sql);
      await client.query(`INSERT INTO public.schema_migrations (component, id) VALUES ($1, $2)`, [component, m.id]);
    }
  });
}
