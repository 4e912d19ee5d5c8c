import type { EventMetadata, EventOf, EventType } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import type { Logger } from '@leadline/platform';
import type pg from 'pg';

/** What a handler may run SQL on: the batch's transaction. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** An event as handlers receive it: upcast, parsed, with its place in the log. */
export type ProjectedEvent<T extends EventType = EventType> = EventOf<T> & {
  metadata: EventMetadata;
  eventId: string;
  streamId: string;
  streamVersion: number;
  checkpoint: string;
};

export type HandlerContext = {
  db: Queryable;
  /** The qualified physical table that backs a logical table name in the generation being written. */
  table(name: string): string;
  /** Records a changed key for the change notice (a no-op while rebuilding or verifying). */
  changed(view: string, key: string): void;
  /**
   * Per-batch state of a handler (e.g. sums to write once per batch instead of once per event):
   * created on first use, written by `flush` before the batch's checkpoint, in the same transaction.
   * A handler whose statement depends on it calls `ctx.flush()` first.
   */
  deferred<T>(key: string, create: () => T, flush: (ctx: HandlerContext, value: T) => Promise<void>): T;
  /** Writes every deferred state of the batch now. */
  flush(): Promise<void>;
};

export type ProjectionTable = {
  /** Logical name: the view `read.<name>` and the tables `read.<name>__g<generation>`. */
  name: string;
  /** CREATE TABLE statement for the given qualified physical name. */
  ddl(physical: string): string;
  /** Secondary indexes for readers (`CREATE INDEX ON <physical> ...`): built after a rebuild's bulk load. */
  indexes?(physical: string): string[];
  /** PostgreSQL extensions the table or its indexes need (`pg_trgm`): created if missing, before the table. */
  extensions?: readonly string[];
  /** Indexes the handlers themselves read through: built with the table, so a rebuild never scans. */
  lookupIndexes?(physical: string): string[];
};

export type Projection<T extends EventType = EventType> = {
  name: string;
  /** Bump when handlers or tables change: a different stored version triggers a rebuild at start. */
  version: number;
  tables: readonly ProjectionTable[];
  eventTypes: readonly T[];
  /**
   * For projections no screen watches live (history, analytics): how long to wait after a wake-up
   * before reading, so that a burst of appends becomes one batch (one read, one transaction) instead
   * of one per append, leaving the cores to the projections live screens wait for. Unset: at once.
   */
  gatherMs?: number;
  /**
   * Screens watch it live (cards, totals, timeline, activities): it never waits behind the
   * analytics projections during a burst (docs/projections.md, "Live first").
   */
  live?: boolean;
} & (
  | {
      /** Deterministic in the event alone (time from metadata.occurredAt): a rebuild gives identical rows. */
      handle(ctx: HandlerContext, event: ProjectedEvent<T>): Promise<void>;
      handleBatch?: never;
    }
  | {
      /**
       * Set-based: the events of one batch (only the projection's types, in log order), folded in
       * memory per key and written with one statement per table. Must give exactly the rows that
       * calling it once per event would (the engine does that to isolate a poison event).
       */
      handleBatch(ctx: HandlerContext, events: ProjectedEvent<T>[]): Promise<void>;
      handle?: never;
    }
);

export const defineProjection = <T extends EventType>(projection: Projection<T>): Projection =>
  projection as unknown as Projection;

/** Runs a projection's handlers over some events, in one call when it is set-based. */
export async function applyHandlers(projection: Projection, ctx: HandlerContext, events: ProjectedEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (projection.handleBatch) return projection.handleBatch(ctx, events);
  for (const event of events) await projection.handle(ctx, event);
}

export type ProjectorDeps = {
  pool: pg.Pool;
  eventStore: EventStore;
  logger: Logger;
  /** Defaults to every projection of Leadline; tests pass a subset or a variant. */
  projections?: readonly Projection[];
  /** Events read per batch (default 500). */
  batchSize?: number;
  /** Heartbeat and metrics period (default 5000 ms). */
  heartbeatMs?: number;
  /** Runs the routing process manager beside the projections (default true; docs/assignment.md). */
  routing?: boolean;
};

export type ProjectionState = 'running' | 'rebuilding' | 'failed' | 'standby';

export type ProjectionStatus = {
  name: string;
  /** What this process does for the projection: holds its lock (active), waits for it (standby), or neither. */
  instance: 'active' | 'standby' | 'stopped';
  /** The status stored by the active instance; `standby` when this process is waiting. */
  status: ProjectionState | 'starting';
  version: number | null;
  generation: number | null;
  checkpoint: string | null;
  error: string | null;
  failedEventId: string | null;
  heartbeatAt: string | null;
  rebuild: { generation: number; checkpoint: string; processed: number } | null;
};
