import type pg from 'pg';
import { DEFAULT_BATCH_SIZE, migrateProjector, projectionsOf } from './projector.ts';
import { handlerContext } from './deferred.ts';
import { decode } from './parse.ts';
import { readPage } from './read.ts';
import { readState } from './state.ts';
import { createTables, generationSuffix, physicalName, tableResolver } from './tables.ts';
import { applyHandlers, type ProjectedEvent, type Projection, type ProjectorDeps } from './types.ts';

export type VerifyDifference = { projection: string; table: string; missing: unknown[]; extra: unknown[] };

export type VerifyProgress =
  | { phase: 'building'; projection: string; processed: number; checkpoint: string; target: string }
  | { phase: 'compared'; projection: string; tables: number; differences: number }
  | { phase: 'skipped'; projection: string; reason: string };

const SAMPLE = 20;
const SCRATCH = 'verify';

/**
 * For each projection, rebuilds its tables from the start of the log up to exactly the live
 * checkpoint into scratch tables and compares them row by row with the live ones, both ways.
 * Everything happens in one REPEATABLE READ transaction per projection, rolled back at the end:
 * its snapshot freezes the live tables at the checkpoint it first reads.
 * Differences name the table: `missing` rows a rebuild produces that the live table lacks, `extra`
 * rows the live table has that a rebuild does not produce (at most 20 each).
 */
export async function verify(deps: ProjectorDeps, options: { onProgress?: (progress: VerifyProgress) => void } = {}): Promise<VerifyDifference[]> {
  await migrateProjector(deps);
  const differences: VerifyDifference[] = [];
  for (const projection of projectionsOf(deps)) {
    differences.push(...(await verifyWithRetry(deps, projection, options.onProgress)));
  }
  return differences;
}

// A swap that commits between our snapshot and our first look at the live tables drops them: try again.
async function verifyWithRetry(deps: ProjectorDeps, projection: Projection, onProgress?: (p: VerifyProgress) => void): Promise<VerifyDifference[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await verifyProjection(deps, projection, onProgress);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P01' || attempt >= 3) throw err;
    }
  }
}

async function verifyProjection(deps: ProjectorDeps, projection: Projection, onProgress?: (p: VerifyProgress) => void): Promise<VerifyDifference[]> {
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const state = await readState(client, projection.name);
    if (!state) {
      onProgress?.({ phase: 'skipped', projection: projection.name, reason: 'never run' });
      return [];
    }
    if (state.version !== projection.version) {
      onProgress?.({ phase: 'skipped', projection: projection.name, reason: `live generation is version ${state.version}, the code is version ${projection.version} (a rebuild is due)` });
      return [];
    }
    const live = (table: string) => physicalName(table, generationSuffix(state.generation));
    for (const table of projection.tables) await client.query(`LOCK TABLE ${live(table.name)} IN ACCESS SHARE MODE`);
    await createTables(client, projection, SCRATCH);
    await replayUpTo(deps, client, projection, state.checkpoint, onProgress);

    const differences: VerifyDifference[] = [];
    for (const table of projection.tables) {
      const scratch = physicalName(table.name, SCRATCH);
      const missing = await client.query(`SELECT * FROM (SELECT * FROM ${scratch} EXCEPT ALL SELECT * FROM ${live(table.name)}) d LIMIT ${SAMPLE}`);
      const extra = await client.query(`SELECT * FROM (SELECT * FROM ${live(table.name)} EXCEPT ALL SELECT * FROM ${scratch}) d LIMIT ${SAMPLE}`);
      if (missing.rows.length > 0 || extra.rows.length > 0) {
        differences.push({ projection: projection.name, table: table.name, missing: missing.rows, extra: extra.rows });
      }
    }
    onProgress?.({ phase: 'compared', projection: projection.name, tables: projection.tables.length, differences: differences.length });
    return differences;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}

async function replayUpTo(
  deps: ProjectorDeps,
  client: pg.PoolClient,
  projection: Projection,
  target: string,
  onProgress?: (p: VerifyProgress) => void,
): Promise<void> {
  const { ctx, work } = handlerContext(client, tableResolver(projection, SCRATCH), () => {});
  const types = new Set<string>(projection.eventTypes);
  let checkpoint = '';
  let processed = 0;
  while (checkpoint < target) {
    // Every event up to the live checkpoint is committed and below every snapshot's xmin, so readAll returns it.
    const events = await readPage(deps.eventStore, checkpoint, deps.batchSize ?? DEFAULT_BATCH_SIZE);
    if (events.length === 0) throw new Error(`The log ends at ${checkpoint}, before the live checkpoint ${target} of ${projection.name}`);
    const page: ProjectedEvent[] = [];
    let reachedTarget = false;
    for (const stored of events) {
      if (stored.checkpoint > target) {
        reachedTarget = true;
        break;
      }
      if (types.has(stored.type)) page.push(decode(stored));
      checkpoint = stored.checkpoint;
      processed++;
    }
    await applyHandlers(projection, ctx, page);
    await work.flush();
    if (reachedTarget) return;
    onProgress?.({ phase: 'building', projection: projection.name, processed, checkpoint, target });
  }
}
