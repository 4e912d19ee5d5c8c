import { runMigrations } from '@leadline/platform';
import { projections as allProjections } from '../projections/index.ts';
import { startRoutingManager } from '../routing/runner.ts';
import { errorMessage } from './parse.ts';
import { lagEvents, lagSeconds, measureLag } from './metrics.ts';
import { ProjectionRunner } from './runner.ts';
import { projectorMigrations } from './schema.ts';
import { recordHeartbeat } from './state.ts';
import type { Projection, ProjectionState, ProjectionStatus, ProjectorDeps } from './types.ts';
import { Waker } from './wake.ts';
import { LogFeed } from './feed.ts';
import { LivePriority } from './priority.ts';

export type Projector = {
  /** Finishes each projection's current batch and releases its lock. */
  stop(): Promise<void>;
  status(): Promise<ProjectionStatus[]>;
};

/** Events per batch at most; live, a batch is whatever has arrived (often one event). */
export const DEFAULT_BATCH_SIZE = 2000;
const DEFAULT_HEARTBEAT_MS = 5000;

export const projectionsOf = (deps: ProjectorDeps): readonly Projection[] => deps.projections ?? allProjections;

export async function migrateProjector(deps: Pick<ProjectorDeps, 'pool'>): Promise<void> {
  await runMigrations(deps.pool, 'projector', projectorMigrations);
}

/**
 * Connections a projector holds for good (one per projection runner, one for the routing manager)
 * plus what its heartbeat, lag and health queries need beside them.
 */
export const projectorConnections = (projectionCount: number, routing = true): number => projectionCount + (routing ? 1 : 0) + 2;

/** Starts one runner per projection; each becomes active or waits as a standby for its lock. */
export async function startProjector(deps: ProjectorDeps): Promise<Projector> {
  // Each runner keeps a dedicated connection: a pool too small starves the last runners and every
  // other query of the process, silently. Refuse to start instead.
  const needed = projectorConnections(projectionsOf(deps).length, deps.routing !== false);
  const max = (deps.pool as { options?: { max?: number } }).options?.max ?? 10;
  if (max < needed) throw new Error(`the projector needs a pool of at least ${needed} connections (${projectionsOf(deps).length} projections${deps.routing === false ? '' : ' and the routing manager'}); this pool has ${max}`);
  await migrateProjector(deps);
  const waker = new Waker();
  const unlisten = await deps.eventStore.onAppended(() => waker.wake('store'));
  const runnerDeps = {
    pool: deps.pool,
    eventStore: deps.eventStore,
    logger: deps.logger,
    waker,
    batchSize: deps.batchSize ?? DEFAULT_BATCH_SIZE,
    feed: new LogFeed(deps.eventStore),
    priority: new LivePriority(),
  };
  const runners = projectionsOf(deps).map((p) => new ProjectionRunner(p, runnerDeps));
  for (const runner of runners) runner.start().catch((err) => deps.logger.error({ err, projection: runner.projection.name }, 'projection runner crashed'));
  const routing = deps.routing === false ? null : await startRoutingManager({ pool: deps.pool, eventStore: deps.eventStore, logger: deps.logger, waker });

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const active = runners.filter((r) => r.instance === 'active' && (r.status === 'running' || r.status === 'rebuilding'));
    try {
      await recordHeartbeat(deps.pool, active.map((r) => r.projection.name));
      for (const runner of active) {
        if (runner.checkpoint === null) continue;
        const lag = await measureLag(deps.pool, deps.eventStore, runner.checkpoint);
        lagEvents.set({ projection: runner.projection.name }, lag.events);
        lagSeconds.set({ projection: runner.projection.name }, lag.seconds);
      }
    } catch (err) {
      deps.logger.warn({ err: errorMessage(err) }, 'projector heartbeat failed');
    }
    if (!stopped) timer = setTimeout(tick, deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS).unref();
  };
  // The first measurement comes soon after start so that /metrics is not empty for a whole period.
  timer = setTimeout(tick, Math.min(1000, deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS)).unref();

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...runners.map((r) => r.stop()), routing?.stop()]);
      await unlisten();
    },
    status: () => readStatus(deps, runners),
  };
}

type StatusRow = {
  name: string;
  version: number;
  generation: number;
  checkpoint: string;
  status: ProjectionState;
  error: string | null;
  failed_event_id: string | null;
  heartbeat_at: Date | null;
  rebuild_generation: number | null;
  rebuild_checkpoint: string | null;
  rebuild_processed: number | null;
};

async function readStatus(deps: ProjectorDeps, runners: ProjectionRunner[]): Promise<ProjectionStatus[]> {
  const { rows } = await deps.pool.query<StatusRow>(
    `SELECT p.name, p.version, p.generation, p.checkpoint, p.status, p.error, p.failed_event_id, p.heartbeat_at,
            r.generation AS rebuild_generation, r.checkpoint AS rebuild_checkpoint, r.processed::float8 AS rebuild_processed
     FROM projector.projections p LEFT JOIN projector.rebuilds r USING (name)`,
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  return runners.map((runner) => {
    const row = byName.get(runner.projection.name);
    return {
      name: runner.projection.name,
      instance: runner.instance,
      status: runner.instance === 'standby' ? 'standby' : (row?.status ?? runner.status),
      version: row?.version ?? null,
      generation: row?.generation ?? null,
      checkpoint: row?.checkpoint ?? null,
      error: row?.error ?? null,
      failedEventId: row?.failed_event_id ?? null,
      heartbeatAt: row?.heartbeat_at ? row.heartbeat_at.toISOString() : null,
      rebuild:
        row && row.rebuild_generation !== null
          ? { generation: row.rebuild_generation, checkpoint: row.rebuild_checkpoint ?? '', processed: row.rebuild_processed ?? 0 }
          : null,
    };
  });
}
