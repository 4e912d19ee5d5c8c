import { IllegalStateError, ValidationError } from '@leadline/platform';
import type pg from 'pg';
import { DEFAULT_BATCH_SIZE, migrateProjector, projectionsOf } from './projector.ts';
import { ProjectionRunner } from './runner.ts';
import { ensureState, readRebuild, readState, requestRebuild } from './state.ts';
import type { Projection, ProjectorDeps, Queryable } from './types.ts';
import { Waker, sleep } from './wake.ts';

export type RebuildProgress = {
  projection: string;
  generation: number;
  processed: number;
  checkpoint: string;
  /** Whether this process builds it (no projector was running) or watches the active projector build it. */
  builtBy: 'this process' | 'active projector';
};

export type RebuildResult = { projection: string; generation: number; checkpoint: string };

export function findProjection(deps: ProjectorDeps, name: string): Projection {
  const projection = projectionsOf(deps).find((p) => p.name === name);
  if (!projection) {
    const known = projectionsOf(deps).map((p) => p.name).join(', ');
    throw new ValidationError(`Unknown projection "${name}" (known: ${known})`);
  }
  return projection;
}

async function withClient<T>(pool: pg.Pool, fn: (db: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/**
 * Builds generation N+1 of a projection from the start of the log while generation N keeps
 * serving, then swaps them. The active projector does the work when one is running (it sees the
 * request in `projector.rebuilds`); otherwise this process takes the projection's lock and does it.
 * Resolves once the new generation is live.
 */
export async function rebuild(
  deps: ProjectorDeps,
  name: string,
  options: { onProgress?: (progress: RebuildProgress) => void; pollMs?: number } = {},
): Promise<RebuildResult> {
  const projection = findProjection(deps, name);
  await migrateProjector(deps);
  const before = await withClient(deps.pool, (db) => ensureState(db, projection));
  if (before.status === 'failed') {
    throw new IllegalStateError('projection-failed', `Projection ${name} is stopped at event ${before.failed_event_id}: ${before.error}. Fix the cause and restart the projector first.`);
  }
  const requested = await withClient(deps.pool, (db) => requestRebuild(db, projection));
  const target = requested.generation;

  const waker = new Waker();
  const unlisten = await deps.eventStore.onAppended(() => waker.wake('store'));
  const runner = new ProjectionRunner(projection, { ...deps, waker, batchSize: deps.batchSize ?? DEFAULT_BATCH_SIZE }, 'until-rebuilt');
  void runner.start();
  const never = new AbortController().signal;
  try {
    for (;;) {
      const [state, pending] = await withClient(deps.pool, async (db) => [await readState(db, name), await readRebuild(db, name)] as const);
      if (!state) throw new Error(`Projection ${name} disappeared`);
      if (state.generation >= target && (!pending || pending.generation !== target)) {
        return { projection: name, generation: state.generation, checkpoint: state.checkpoint };
      }
      if (state.status === 'failed') {
        throw new IllegalStateError('projection-failed', `Rebuild of ${name} stopped at event ${state.failed_event_id}: ${state.error}`);
      }
      if (pending) {
        options.onProgress?.({
          projection: name,
          generation: pending.generation,
          processed: pending.processed,
          checkpoint: pending.checkpoint,
          builtBy: runner.instance === 'active' ? 'this process' : 'active projector',
        });
      }
      await sleep(options.pollMs ?? 500, never);
    }
  } finally {
    await runner.stop();
    await unlisten();
  }
}
