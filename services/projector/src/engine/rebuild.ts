import { IllegalStateError, ValidationError } from '@leadline/platform';
import type pg from 'pg';
import { DEFAULT_BATCH_SIZE, migrateProjector, projectionsOf } from './projector.ts';
import { ProjectionRunner } from './runner.ts';
import { ensureState, readRebuild, readState, requestRebuild } from './state.ts';
import type { Projection, ProjectorDeps, Queryable } from './types.ts';
import { Waker, sleep } from './wake.ts';
import { LogFeed } from './feed.ts';
import { LivePriority } from './priority.ts';
import { estimate, type RebuildEstimate } from './progress.ts';

export type RebuildProgress = RebuildEstimate & {
  projection: string;
  generation: number;
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
 * Builds generation N+1 of each named projection from the start of the log while generation N
 * keeps serving, then swaps each in as soon as it has caught up. All of them are built in one pass
 * over the log: their runners share one feed, so each page is read and decoded once for all. The
 * active projector does the work when one is running (it sees the requests in `projector.rebuilds`);
 * otherwise this process takes each projection's lock and does it. Resolves once every new
 * generation is live.
 */
export async function rebuildMany(
  deps: ProjectorDeps,
  names: readonly string[],
  options: { onProgress?: (progress: RebuildProgress[]) => void; pollMs?: number } = {},
): Promise<RebuildResult[]> {
  const chosen = names.map((name) => findProjection(deps, name));
  await migrateProjector(deps);
  const targets = new Map<string, number>();
  for (const projection of chosen) {
    const before = await withClient(deps.pool, (db) => ensureState(db, projection));
    if (before.status === 'failed') {
      throw new IllegalStateError('projection-failed', `Projection ${projection.name} is stopped at event ${before.failed_event_id}: ${before.error}. Fix the cause and restart the projector first.`);
    }
  }
  for (const projection of chosen) {
    const requested = await withClient(deps.pool, (db) => requestRebuild(db, projection));
    targets.set(projection.name, requested.generation);
  }

  const waker = new Waker();
  const unlisten = await deps.eventStore.onAppended(() => waker.wake('store'));
  const runnerDeps = { ...deps, waker, batchSize: deps.batchSize ?? DEFAULT_BATCH_SIZE, feed: new LogFeed(deps.eventStore), priority: new LivePriority() };
  const runners = chosen.map((projection) => new ProjectionRunner(projection, runnerDeps, 'until-rebuilt'));
  for (const runner of runners) void runner.start();
  const never = new AbortController().signal;
  const results = new Map<string, RebuildResult>();
  try {
    for (;;) {
      const progress: RebuildProgress[] = [];
      for (const runner of runners) {
        const name = runner.projection.name;
        if (results.has(name)) continue;
        const target = targets.get(name) as number;
        const [state, pending] = await withClient(deps.pool, async (db) => [await readState(db, name), await readRebuild(db, name)] as const);
        if (!state) throw new Error(`Projection ${name} disappeared`);
        if (state.generation >= target && (!pending || pending.generation !== target)) {
          results.set(name, { projection: name, generation: state.generation, checkpoint: state.checkpoint });
          continue;
        }
        if (state.status === 'failed') {
          throw new IllegalStateError('projection-failed', `Rebuild of ${name} stopped at event ${state.failed_event_id}: ${state.error}`);
        }
        if (pending) {
          progress.push({
            projection: name,
            generation: pending.generation,
            checkpoint: pending.checkpoint,
            ...estimate(pending.processed, pending.total, pending.elapsedSeconds),
            builtBy: runner.instance === 'active' ? 'this process' : 'active projector',
          });
        }
      }
      if (results.size === runners.length) return chosen.map((p) => results.get(p.name) as RebuildResult);
      if (progress.length > 0) options.onProgress?.(progress);
      await sleep(options.pollMs ?? 500, never);
    }
  } finally {
    await Promise.all(runners.map((r) => r.stop()));
    await unlisten();
  }
}

/** `rebuildMany` for one projection. */
export async function rebuild(
  deps: ProjectorDeps,
  name: string,
  options: { onProgress?: (progress: RebuildProgress) => void; pollMs?: number } = {},
): Promise<RebuildResult> {
  const [result] = await rebuildMany(deps, [name], { pollMs: options.pollMs, onProgress: (all) => all.forEach((p) => options.onProgress?.(p)) });
  return result;
}
