import type { StoredEvent } from '@leadline/eventstore';
import { handlerContext } from './deferred.ts';
import { isTransient } from './failures.ts';
import { ChangeSet, publishChangeNotice, type Change } from './notice.ts';
import { decode, errorMessage } from './parse.ts';
import { tableResolver } from './tables.ts';
import { applyHandlers, type ProjectedEvent, type Projection, type Queryable } from './types.ts';

/** Where a batch writes: the tables of one generation, and where its checkpoint is kept. */
export type BatchTarget = {
  suffix: string;
  /** Stores the checkpoint reached; throws OwnershipLostError when the stored one is not `from`. */
  saveCheckpoint(db: Queryable, from: string, to: string, processed: number): Promise<void>;
  /** Only the live generation publishes change notices: nobody reads a generation being built. */
  notify: boolean;
};

export type Poison = { eventId: string; checkpoint: string; error: string };

export type BatchResult = {
  checkpoint: string;
  processed: number;
  handled: number;
  changes: Change[];
  poison: Poison | null;
};

/**
 * Applies one batch in one transaction with its checkpoint (and change notice). When a handler
 * throws, the batch is rolled back and replayed event by event to find the culprit: the events
 * before it are kept, the checkpoint stops just before it, and the poison is returned.
 */
export async function applyBatch(db: Queryable, projection: Projection, target: BatchTarget, from: string, events: StoredEvent[], to?: string): Promise<BatchResult> {
  // `to` may lie past the last event: the reader scanned events of other types up to there.
  const end = to ?? events[events.length - 1]?.checkpoint ?? from;
  if (end <= from) return { checkpoint: from, processed: 0, handled: 0, changes: [], poison: null };
  const table = tableResolver(projection, target.suffix);
  const types = new Set<string>(projection.eventTypes);
  try {
    // Decoded before BEGIN: an invalid event goes straight to isolation, with no transaction to undo.
    const handledEvents: ProjectedEvent[] = [];
    for (const stored of events) if (types.has(stored.type)) handledEvents.push(decode(stored));
    await db.query('BEGIN');
    // A projection's effects are replayed from its checkpoint after a crash: its commit need not
    // wait for the WAL flush (appends keep synchronous_commit on; docs/projections.md).
    await db.query('SET LOCAL synchronous_commit = off');
    const changes = new ChangeSet();
    const { ctx, work } = handlerContext(db, table, (view, key) => changes.add(view, key));
    await applyHandlers(projection, ctx, handledEvents);
    const handled = handledEvents.length;
    await work.flush();
    await target.saveCheckpoint(db, from, end, events.length);
    if (target.notify) await publishChangeNotice(db, projection.name, end, changes.list());
    await db.query('COMMIT');
    return { checkpoint: end, processed: events.length, handled, changes: changes.list(), poison: null };
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    if (isTransient(err)) throw err;
    return applyOneByOne(db, projection, target, from, events, end, table, types);
  }
}

async function applyOneByOne(
  db: Queryable,
  projection: Projection,
  target: BatchTarget,
  from: string,
  events: StoredEvent[],
  end: string,
  table: (name: string) => string,
  types: Set<string>,
): Promise<BatchResult> {
  const changes = new ChangeSet();
  let reached = from;
  let processed = 0;
  let handled = 0;
  let poison: Poison | null = null;
  try {
    await db.query('BEGIN');
    await db.query('SET LOCAL synchronous_commit = off');
    for (const stored of events) {
      if (types.has(stored.type)) {
        const pending = new ChangeSet();
        await db.query('SAVEPOINT projected_event');
        try {
          const { ctx, work } = handlerContext(db, table, (view, key) => pending.add(view, key));
          await applyHandlers(projection, ctx, [decode(stored)]);
          await work.flush();
          await db.query('RELEASE SAVEPOINT projected_event');
        } catch (err) {
          if (isTransient(err)) throw err;
          await db.query('ROLLBACK TO SAVEPOINT projected_event');
          poison = { eventId: stored.eventId, checkpoint: stored.checkpoint, error: errorMessage(err) };
          break;
        }
        changes.addAll(pending.list());
        handled++;
      }
      reached = stored.checkpoint;
      processed++;
    }
    if (!poison) reached = end;
    if (reached !== from) {
      await target.saveCheckpoint(db, from, reached, processed);
      if (target.notify) await publishChangeNotice(db, projection.name, reached, changes.list());
    }
    if (poison) await markFailed(db, projection.name, poison, target.notify ? '' : 'rebuild: ');
    await db.query('COMMIT');
    return { checkpoint: reached, processed, handled, changes: changes.list(), poison };
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

async function markFailed(db: Queryable, name: string, poison: Poison, prefix: string): Promise<void> {
  await db.query(
    `UPDATE projector.projections SET status = 'failed', error = $2, failed_event_id = $3, updated_at = now() WHERE name = $1`,
    [name, `${prefix}event ${poison.eventId}: ${poison.error}`.slice(0, 2000), poison.eventId],
  );
}
