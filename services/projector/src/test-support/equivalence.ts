import type { StoredEvent } from '@leadline/eventstore';
import fc from 'fast-check';
import type pg from 'pg';
import { expect } from 'vitest';
import { handlerContext } from '../engine/deferred.ts';
import { decode } from '../engine/parse.ts';
import { createTables, physicalName, tableResolver } from '../engine/tables.ts';
import { applyHandlers, type Projection } from '../engine/types.ts';

export type TableRows = { table: string; rows: string[] };

/**
 * Applies the events to fresh tables of the projection (suffix `suffix`), cut into batches at the
 * given sizes (the last batch takes the rest; `[1]` repeated means event by event), each batch in
 * one transaction as the engine runs it, and returns every table's rows as sorted JSON text.
 */
export async function projectInBatches(pool: pg.Pool, projection: Projection, events: StoredEvent[], suffix: string, sizes: (index: number) => number): Promise<TableRows[]> {
  const client = await pool.connect();
  try {
    await client.query('CREATE SCHEMA IF NOT EXISTS read');
    await createTables(client, projection, suffix);
    const table = tableResolver(projection, suffix);
    const types = new Set<string>(projection.eventTypes);
    const handled = events.filter((e) => types.has(e.type));
    for (let at = 0, batch = 0; at < handled.length; batch++) {
      const size = Math.max(1, sizes(batch));
      const slice = handled.slice(at, at + size);
      at += size;
      await client.query('BEGIN');
      try {
        const { ctx, work } = handlerContext(client, table, () => {});
        await applyHandlers(projection, ctx, slice.map(decode));
        await work.flush();
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    const result: TableRows[] = [];
    for (const t of projection.tables) {
      const { rows } = await client.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${physicalName(t.name, suffix)} t ORDER BY 1`);
      result.push({ table: t.name, rows: rows.map((r) => r.row) });
    }
    for (const t of projection.tables) await client.query(`DROP TABLE ${physicalName(t.name, suffix)}`);
    return result;
  } finally {
    client.release();
  }
}

/**
 * The set-based contract for one projection: the events one by one, all in one batch and cut into
 * batches of random sizes (fast-check, `runs` cuttings) give identical rows. Returns the rows.
 */
export async function expectAnyBatchingGivesSameRows(pool: pg.Pool, projection: Projection, events: StoredEvent[], runs = 20): Promise<TableRows[]> {
  const one = await projectInBatches(pool, projection, events, 'eq_one', () => 1);
  expect(await projectInBatches(pool, projection, events, 'eq_all', () => Number.MAX_SAFE_INTEGER)).toEqual(one);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), async (sizes) => {
      expect(await projectInBatches(pool, projection, events, 'eq_cut', (i) => sizes[i % sizes.length])).toEqual(one);
    }),
    { numRuns: runs },
  );
  return one;
}
