import { OwnershipLostError } from './failures.ts';
import { lockProjectionSetup } from './lock.ts';
import { publishChangeNotice } from './notice.ts';
import { createReaderIndexes, createTables, dropTable, generationSuffix, generationTables, pointViews } from './tables.ts';
import type { BatchTarget } from './batch.ts';
import type { Projection, ProjectionState, Queryable } from './types.ts';

export type StateRow = {
  name: string;
  version: number;
  generation: number;
  checkpoint: string;
  status: ProjectionState;
  error: string | null;
  failed_event_id: string | null;
  heartbeat_at: Date | null;
  updated_at: Date;
};

export type RebuildRow = { name: string; version: number; generation: number; checkpoint: string; processed: number; total: number | null; elapsedSeconds: number };

export async function readState(db: Queryable, name: string): Promise<StateRow | null> {
  const { rows } = await db.query<StateRow>('SELECT * FROM projector.projections WHERE name = $1', [name]);
  return rows[0] ?? null;
}

export async function readRebuild(db: Queryable, name: string): Promise<RebuildRow | null> {
  const { rows } = await db.query<RebuildRow>(
    `SELECT name, version, generation, checkpoint, processed::float8 AS processed, total::float8 AS total,
            extract(epoch FROM now() - requested_at)::float8 AS "elapsedSeconds"
     FROM projector.rebuilds WHERE name = $1`,
    [name],
  );
  return rows[0] ?? null;
}

async function inTransaction<T>(db: Queryable, fn: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    const result = await fn();
    await db.query('COMMIT');
    return result;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** The first time a projection is seen: its state row, generation 1 tables and views, in one transaction. */
export async function ensureState(db: Queryable, projection: Projection): Promise<StateRow> {
  return inTransaction(db, async () => {
    await lockProjectionSetup(db, projection.name);
    const existing = await readState(db, projection.name);
    if (existing) return existing;
    await createTables(db, projection, generationSuffix(1));
    await pointViews(db, projection, 1);
    await db.query(
      `INSERT INTO projector.projections (name, version, generation, checkpoint, status, updated_at) VALUES ($1, $2, 1, '', 'running', now())`,
      [projection.name, projection.version],
    );
    return (await readState(db, projection.name)) as StateRow;
  });
}

/**
 * Starts building generation N+1 from the start of the log, unless a rebuild for the current
 * version is already under way (then that one is returned). A leftover rebuild of another version
 * is discarded.
 */
export async function requestRebuild(db: Queryable, projection: Projection): Promise<RebuildRow> {
  return inTransaction(db, async () => {
    await lockProjectionSetup(db, projection.name);
    const state = await readState(db, projection.name);
    if (!state) throw new Error(`Projection ${projection.name} has never run`);
    const pending = await readRebuild(db, projection.name);
    if (pending && pending.version === projection.version && pending.generation === state.generation + 1) return pending;
    if (pending) await db.query('DELETE FROM projector.rebuilds WHERE name = $1', [projection.name]);
    const generation = state.generation + 1;
    await createTables(db, projection, generationSuffix(generation), { deferIndexes: true });
    await db.query(`INSERT INTO projector.rebuilds (name, version, generation) VALUES ($1, $2, $3)`, [projection.name, projection.version, generation]);
    await db.query(
      `UPDATE projector.projections SET status = CASE WHEN status = 'failed' THEN status ELSE 'rebuilding' END, updated_at = now() WHERE name = $1`,
      [projection.name],
    );
    return (await readRebuild(db, projection.name)) as RebuildRow;
  });
}

/** Called by the instance that just took the lock: a failed projection starts again from its checkpoint. */
export async function activate(db: Queryable, name: string, rebuilding: boolean): Promise<void> {
  await db.query(
    `UPDATE projector.projections SET status = $2, error = NULL, failed_event_id = NULL, heartbeat_at = now(), updated_at = now() WHERE name = $1`,
    [name, rebuilding ? 'rebuilding' : 'running'],
  );
}

export const liveTarget = (name: string, generation: number): BatchTarget => ({
  suffix: generationSuffix(generation),
  notify: true,
  saveCheckpoint: async (db, from, to) => {
    const res = await db.query(
      `UPDATE projector.projections SET checkpoint = $3, updated_at = now() WHERE name = $1 AND checkpoint = $2 AND generation = $4`,
      [name, from, to, generation],
    );
    if (res.rowCount !== 1) throw new OwnershipLostError(`projection ${name} was advanced by another instance`);
  },
});

export const rebuildTarget = (name: string, generation: number): BatchTarget => ({
  suffix: generationSuffix(generation),
  notify: false,
  saveCheckpoint: async (db, from, to, processed) => {
    const res = await db.query(
      `UPDATE projector.rebuilds SET checkpoint = $3, processed = processed + $4 WHERE name = $1 AND checkpoint = $2 AND generation = $5`,
      [name, from, to, processed, generation],
    );
    if (res.rowCount !== 1) throw new OwnershipLostError(`rebuild of ${name} was advanced or cancelled by another instance`);
  },
});

/**
 * Makes the rebuilt generation the live one: views, generation, version and checkpoint change in
 * one transaction, with a change notice that lists no keys (listeners refetch).
 */
export async function swapGeneration(db: Queryable, projection: Projection, rebuild: RebuildRow, liveGeneration: number, liveCheckpoint: string): Promise<void> {
  // Built before the swap's transaction, on tables nobody reads yet: the swap itself stays short.
  await createReaderIndexes(db, projection, generationSuffix(rebuild.generation));
  await inTransaction(db, async () => {
    await lockProjectionSetup(db, projection.name);
    const res = await db.query(
      `UPDATE projector.projections SET generation = $4, version = $5, checkpoint = $6, status = 'running', error = NULL, failed_event_id = NULL, updated_at = now()
       WHERE name = $1 AND generation = $2 AND checkpoint = $3`,
      [projection.name, liveGeneration, liveCheckpoint, rebuild.generation, rebuild.version, rebuild.checkpoint],
    );
    if (res.rowCount !== 1) throw new OwnershipLostError(`projection ${projection.name} changed during the swap`);
    const removed = await db.query('DELETE FROM projector.rebuilds WHERE name = $1 AND generation = $2', [projection.name, rebuild.generation]);
    if (removed.rowCount !== 1) throw new OwnershipLostError(`rebuild of ${projection.name} changed during the swap`);
    await pointViews(db, projection, rebuild.generation);
    await publishChangeNotice(db, projection.name, rebuild.checkpoint, undefined);
  });
}

export async function recordHeartbeat(db: Queryable, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await db.query(`UPDATE projector.projections SET heartbeat_at = now() WHERE name = ANY($1::text[])`, [names]);
}

/**
 * Drops the tables of generations that are neither live nor being built (left by a swap whose drop
 * could not take its lock, or by a crash). Each drop decides under the setup lock, so it never
 * races a rebuild request creating the next generation, and waits at most lockTimeoutMs: readers
 * still on an old table must not stall the projector. Returns false when some table must be retried.
 */
export async function dropStaleGenerations(db: Queryable, projection: Projection, lockTimeoutMs = 1000): Promise<{ dropped: string[]; complete: boolean }> {
  const dropped: string[] = [];
  let complete = true;
  for (const candidate of await generationTables(db, projection)) {
    try {
      const done = await inTransaction(db, async () => {
        await lockProjectionSetup(db, projection.name);
        const state = await readState(db, projection.name);
        const rebuild = await readRebuild(db, projection.name);
        if (!state || candidate.generation === state.generation || candidate.generation === rebuild?.generation) return false;
        await db.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
        await dropTable(db, candidate.table);
        return true;
      });
      if (done) dropped.push(candidate.table);
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err;
      complete = false;
    }
  }
  return { dropped, complete };
}
