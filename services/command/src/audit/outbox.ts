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

/**
 * One per pool and process. A record is one INSERT, in parallel with the others (PostgreSQL commits
 * concurrent ones together); it resolves once its row is committed: from then on it is durable, and
 * the chainer will put it in the chain.
 */
export class AuditOutbox {
  private migrated: Promise<void> | null = null;
  private waking = false;
  private wakeAgain = false;

  constructor(private readonly pool: pg.Pool) {}

  async write(p: PendingAudit): Promise<void> {
    this.migrated ??= runMigrations(this.pool, 'audit', auditMigrations).catch((err: unknown) => {
      this.migrated = null;
      throw err;
    });
    await this.migrated;
    await this.pool.query('INSERT INTO cmd.audit_outbox (record_id, correlation_id, content) VALUES ($1, $2, $3::jsonb)', [p.recordId, p.correlationId, JSON.stringify(p.content)]);
    this.wake();
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
