import type pg from 'pg';
import { runMigrations, type Migration } from '@leadline/platform';
import type { AuditContent } from './hash.ts';

export const auditMigrations: Migration[] = [
  {
    id: '001-audit-outbox',
    sql: `CREATE SCHEMA IF NOT EXISTS cmd;
      CREATE TABLE IF NOT EXISTS cmd.audit_outbox (
        id bigserial PRIMARY KEY,
        record_id uuid NOT NULL UNIQUE,
        correlation_id uuid NOT NULL,
        content jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp());`,
  },
];

/** The chainer LISTENs here; a notice is a hint (it also looks every second). */
export const AUDIT_WAKE_CHANNEL = 'leadline_audit';

/** An audit record before it has a place in the chain. */
export type PendingAudit = { recordId: string; correlationId: string; content: Omit<AuditContent, 'prev' | 'recordId'> };

type Waiting = PendingAudit & { resolve(): void; reject(err: unknown): void };

/** Records per INSERT at most. */
const MAX_BATCH = 500;

/**
 * One per pool and process: records that arrive while an INSERT is in flight go out together in the
 * next one (one round trip, one commit for a burst). A record resolves once its row is committed:
 * from then on it is durable, and the chainer will put it in the chain.
 */
export class AuditOutbox {
  private readonly queue: Waiting[] = [];
  private draining = false;
  private migrated: Promise<void> | null = null;
  private waking = false;
  private wakeAgain = false;

  constructor(private readonly pool: pg.Pool) {}

  write(pending: PendingAudit): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...pending, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.insert(batch);
          for (const w of batch) w.resolve();
          this.wake();
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async insert(batch: Waiting[]): Promise<void> {
    this.migrated ??= runMigrations(this.pool, 'audit', auditMigrations).catch((err: unknown) => {
      this.migrated = null;
      throw err;
    });
    await this.migrated;
    await this.pool.query(
      `INSERT INTO cmd.audit_outbox (record_id, correlation_id, content)
       SELECT r, c, x FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[]) WITH ORDINALITY AS u(r, c, x, n) ORDER BY n`,
      [batch.map((w) => w.recordId), batch.map((w) => w.correlationId), batch.map((w) => JSON.stringify(w.content))],
    );
  }

  /**
   * After the commit, in its own statement (a NOTIFY inside the INSERT would serialise commits); at
   * most one in flight, and one more after it for whatever committed meanwhile.
   */
  private wake(): void {
    if (this.waking) {
      this.wakeAgain = true;
      return;
    }
    this.waking = true;
    this.wakeAgain = false;
    // A hint: synchronous_commit off for its own transaction (a lost one costs the chainer its idle poll, not a record).
    this.pool
      .query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')`, [AUDIT_WAKE_CHANNEL])
      .catch(() => {})
      .finally(() => {
        this.waking = false;
        if (this.wakeAgain) this.wake();
      });
  }
}

type Db = Pick<pg.ClientBase, 'query'>;

/** The oldest records waiting for the chain, in the order they were recorded. */
export async function readPending(db: Db, limit: number): Promise<(PendingAudit & { id: string })[]> {
  const { rows } = await db.query<{ id: string; record_id: string; correlation_id: string; content: PendingAudit['content'] }>(
    // Ordered by the column, not by the text output named like it ('10' sorts before '9').
    'SELECT o.id::text AS id, o.record_id, o.correlation_id, o.content FROM cmd.audit_outbox o ORDER BY o.id LIMIT $1',
    [limit],
  );
  return rows.map((r) => ({ id: r.id, recordId: r.record_id, correlationId: r.correlation_id, content: r.content }));
}

/**
 * Clears records that are in the chain. Without waiting for the flush to disk: should a crash lose
 * the delete, the records are read again and the chainer finds them already chained.
 */
export async function removeChained(db: Db, recordIds: string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL synchronous_commit = off`);
    await db.query('DELETE FROM cmd.audit_outbox WHERE record_id = ANY($1::uuid[])', [recordIds]);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
