import type { EventStore, StoredEvent } from '@leadline/eventstore';
import type { Logger } from '@leadline/platform';
import type pg from 'pg';
import { applyBatch, type BatchResult } from './batch.ts';
import { backoffMs, isTransient } from './failures.ts';
import { tryLockProjection, unlockProjection } from './lock.ts';
import { eventsTotal } from './metrics.ts';
import type { LogFeed } from './feed.ts';
import { logSize } from './progress.ts';
import { createReaderIndexes, generationSuffix } from './tables.ts';
import type { LivePriority } from './priority.ts';
import { errorMessage } from './parse.ts';
import { activate, dropStaleGenerations, ensureState, liveTarget, readRebuild, rebuildTarget, requestRebuild, swapGeneration, type RebuildRow } from './state.ts';
import type { Projection, ProjectionState } from './types.ts';
import { sleep, type Waker } from './wake.ts';

export type RunnerDeps = {
  pool: pg.Pool;
  eventStore: EventStore;
  logger: Logger;
  waker: Waker;
  batchSize: number;
  /** The process's one read of the log, shared by its runners. */
  feed: LogFeed;
  priority: LivePriority;
};

export type RunnerMode =
  /** Runs until stopped. */
  | 'serve'
  /** Runs until no rebuild is pending, then releases the lock (the CLI's rebuild when no projector runs). */
  | 'until-rebuilt';

const STANDBY_RETRY_MS = 1000;
/** A generation being built has no readers and sends no notices: batches can be much larger. */
const REBUILD_BATCH_FACTOR = 5;
/** How long a projection no screen watches holds back while a live one works (LivePriority). */
const LIVE_FIRST_MAX_WAIT_MS = 250;
const IDLE_WAIT_MS = 1000;
/**
 * After a wake-up that found nothing readable, retry soon: the new events are committed but held
 * behind the xmin of some other transaction in the cluster, and their visibility sends no notice.
 */
const QUICK_RETRY_MS = [10, 20, 40, 80, 160, 250, 250, 250, 250];

/**
 * One projection in one process. It competes for the projection's advisory lock on a dedicated
 * connection and, while it holds it, runs every batch on that same connection: if the connection
 * dies the lock goes with it and no write of this instance can land after another took over.
 */
export class ProjectionRunner {
  instance: 'active' | 'standby' | 'stopped' = 'standby';
  status: ProjectionState | 'starting' = 'starting';
  checkpoint: string | null = null;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    readonly projection: Projection,
    private readonly deps: RunnerDeps,
    private readonly mode: RunnerMode = 'serve',
  ) {
    this.log = deps.logger.child({ projection: projection.name });
  }

  start(): Promise<void> {
    this.done = this.loop();
    return this.done;
  }

  /** Lets the current batch finish, then releases the lock. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      let client: pg.PoolClient | null = null;
      const onConnectionError = (err: Error) => this.log.warn({ err: err.message }, 'projection connection failed');
      try {
        client = await this.deps.pool.connect();
        client.on('error', onConnectionError);
        if (!(await tryLockProjection(client, this.projection.name))) {
          client.off('error', onConnectionError);
          client.release();
          client = null;
          if (this.status !== 'standby') this.log.info('waiting as standby');
          this.instance = 'standby';
          this.status = 'standby';
          attempt = 0;
          await sleep(STANDBY_RETRY_MS, this.abort.signal);
          continue;
        }
        this.instance = 'active';
        this.log.debug('active');
        const finished = await this.runActive(client, () => (attempt = 0));
        await unlockProjection(client, this.projection.name);
        client.off('error', onConnectionError);
        client.release();
        client = null;
        if (finished) break;
      } catch (err) {
        // The listener stays on a destroyed client: a late socket error must not go unhandled.
        client?.release(err instanceof Error ? err : true);
        this.instance = 'standby';
        const wait = backoffMs(attempt++);
        if (isTransient(err)) this.log.warn({ err: errorMessage(err), retryInMs: wait }, 'projection paused: store unavailable or ownership lost');
        else this.log.error({ err }, 'projection error; retrying');
        await sleep(wait, this.abort.signal);
      }
    }
    this.instance = 'stopped';
  }

  /** Returns true when the runner's work is finished (mode until-rebuilt), false when stopping. */
  private async runActive(client: pg.PoolClient, healthy: () => void): Promise<boolean> {
    const { projection } = this;
    const name = projection.name;
    const state = await ensureState(client, projection);
    let generation = state.generation;
    let checkpoint = state.checkpoint;
    let liveCurrent = state.version === projection.version;
    let rebuild = await readRebuild(client, name);
    if ((!liveCurrent && !rebuild) || (rebuild && rebuild.version !== projection.version)) {
      this.log.info({ storedVersion: state.version, version: projection.version }, 'projection version changed: rebuilding');
      rebuild = await requestRebuild(client, projection);
    }
    let cleanupDue = !(await dropStaleGenerations(client, projection)).complete;
    await activate(client, name, rebuild !== null);
    this.checkpoint = checkpoint;
    this.status = rebuild ? 'rebuilding' : 'running';

    let quickRetries = 0;
    let indexedGeneration: number | null = null;
    while (!this.stopping) {
      const ticket = this.deps.waker.ticket();
      let progressed = false;
      if (liveCurrent) {
        if (!projection.live) await this.deps.priority.quiet(LIVE_FIRST_MAX_WAIT_MS, this.abort.signal);
        const events = await this.deps.feed.read(checkpoint, this.deps.batchSize);
        if (events.length > 0) {
          const apply = () => applyBatch(client, projection, liveTarget(name, generation), checkpoint, events);
          // Only a batch at the head (a page not full: what a user just did) holds the others back;
          // while everything catches up, live first would only slow the analytics down.
          const atHead = events.length < this.deps.batchSize;
          const result = projection.live && atHead ? await this.deps.priority.run(apply) : await apply();
          progressed = result.checkpoint !== checkpoint;
          checkpoint = result.checkpoint;
          this.checkpoint = checkpoint;
          this.applied(result, events);
          if (result.poison) return this.failed(result, events);
        }
      }
      rebuild = await readRebuild(client, name);
      if (rebuild && rebuild.version !== projection.version) rebuild = await requestRebuild(client, projection);
      if (rebuild) {
        this.status = 'rebuilding';
        if (rebuild.total === null && rebuild.processed === 0) {
          const total = await logSize(client, this.deps.eventStore);
          // Set once, by the runner that builds it (whoever requested the rebuild).
          if (total !== null) await client.query('UPDATE projector.rebuilds SET total = $2 WHERE name = $1 AND total IS NULL', [name, total]);
        }
        const events = await this.deps.feed.read(rebuild.checkpoint, this.deps.batchSize * REBUILD_BATCH_FACTOR);
        if (events.length > 0) {
          const result = await applyBatch(client, projection, rebuildTarget(name, rebuild.generation), rebuild.checkpoint, events);
          progressed = progressed || result.checkpoint !== rebuild.checkpoint;
          if (result.poison) return this.failed(result, events);
        } else if (indexedGeneration !== rebuild.generation) {
          // Caught up: the readers' indexes now, then the tail that arrived meanwhile, then the swap.
          await createReaderIndexes(client, projection, generationSuffix(rebuild.generation));
          indexedGeneration = rebuild.generation;
          progressed = true;
        } else if (!liveCurrent || rebuild.checkpoint >= checkpoint) {
          cleanupDue = !(await this.swap(client, rebuild, generation, checkpoint));
          generation = rebuild.generation;
          checkpoint = rebuild.checkpoint;
          this.checkpoint = checkpoint;
          liveCurrent = true;
          this.status = 'running';
          progressed = true;
        }
      } else {
        this.status = 'running';
        if (this.mode === 'until-rebuilt') return true;
      }
      healthy();
      if (!progressed && cleanupDue) {
        cleanupDue = !(await dropStaleGenerations(client, projection)).complete;
      }
      if (progressed) {
        // Other runners of this process may have been held behind this batch's transaction.
        this.deps.waker.wake('peer');
        quickRetries = 0;
        continue;
      }
      const wait = quickRetries > 0 ? QUICK_RETRY_MS[QUICK_RETRY_MS.length - quickRetries] : IDLE_WAIT_MS;
      const outcome = await this.deps.waker.wait(ticket, wait, this.abort.signal);
      if (outcome !== 'timeout' && projection.gatherMs) await sleep(projection.gatherMs, this.abort.signal);
      quickRetries = outcome === 'store' ? QUICK_RETRY_MS.length : Math.max(0, quickRetries - 1);
    }
    return false;
  }

  /** One log line per batch that changed something, carrying the requests' correlation ids. */
  private applied(result: BatchResult, events: StoredEvent[]): void {
    if (result.handled === 0) return;
    eventsTotal.inc({ projection: this.projection.name }, result.handled);
    const correlationIds = [...new Set(events.map((e) => e.metadata.correlationId))].slice(0, 50);
    // Per batch: at debug, or a busy floor's log is nothing but these lines.
    this.log.debug({ checkpoint: result.checkpoint, handled: result.handled, correlationIds }, 'batch applied');
  }

  /** Returns whether the old generation's tables could be dropped at once (readers may still hold them). */
  private async swap(client: pg.PoolClient, rebuild: RebuildRow, generation: number, checkpoint: string): Promise<boolean> {
    await swapGeneration(client, this.projection, rebuild, generation, checkpoint);
    this.log.info({ generation: rebuild.generation, checkpoint: rebuild.checkpoint, processed: rebuild.processed }, 'rebuild swapped in');
    const { dropped, complete } = await dropStaleGenerations(client, this.projection);
    if (dropped.length > 0) this.log.info({ dropped }, 'old generation dropped');
    return complete;
  }

  /** A poison event stops this projection only; it keeps its lock so that a standby does not retry the same event. */
  private async failed(result: BatchResult, events: StoredEvent[]): Promise<boolean> {
    this.status = 'failed';
    const correlationId = events.find((e) => e.eventId === result.poison?.eventId)?.metadata.correlationId;
    this.log.error({ eventId: result.poison?.eventId, correlationId, error: result.poison?.error }, 'poison event: projection stopped');
    if (this.mode === 'until-rebuilt') return true;
    while (!this.stopping) await sleep(60_000, this.abort.signal);
    return false;
  }
}
