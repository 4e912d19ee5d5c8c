import crypto from 'node:crypto';
import type pg from 'pg';
import { IllegalStateError, isDatabaseUnavailable, type Migration } from '@leadline/platform';

export const idempotencyMigrations: Migration[] = [
  {
    id: '001-idempotency',
    sql: `CREATE SCHEMA IF NOT EXISTS cmd;
      CREATE TABLE IF NOT EXISTS cmd.idempotency (
        actor_id text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status int NOT NULL,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor_id, key));
      CREATE INDEX IF NOT EXISTS idempotency_created_at ON cmd.idempotency (created_at);`,
  },
];

/** How long a key is remembered; a replay after that still appends nothing (event ids are derived from the key). */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

export type StoredAnswer = { status: number; body: Record<string, unknown>; replayed: boolean };

/** Printable ASCII, 1 to 200 characters. */
export const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,200}$/;

/**
 * The fingerprint that tells a retry from a different request under the same key. Keyed (HMAC under
 * the session secret), because bodies can carry passwords (sign-up, password change and reset): a
 * plain hash kept for 24 h could be cracked offline from a copy of the table.
 */
export function requestHash(secret: string, method: string, url: string, body: unknown): string {
  return crypto.createHmac('sha256', secret).update(`${method} ${url}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

/**
 * Runs a keyed request at most once per (actor, key) and replays its first 2xx answer.
 * Concurrent duplicates wait on a session-level advisory lock (across replicas) and then
 * replay. Within one process they first queue in memory, so they hold no connection while waiting.
 */
export class IdempotencyStore {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** `lockPool` holds the lock sessions; keeping them off the main pool means lock holders never starve their own work of connections. */
  constructor(private readonly lockPool: pg.Pool) {}

  once(actorId: string, key: string, hash: string, run: () => Promise<{ status: number; body: Record<string, unknown> }>): Promise<StoredAnswer> {
    const slot = `${actorId}\n${key}`;
    const previous = this.tails.get(slot) ?? Promise.resolve();
    const result = previous.catch(() => {}).then(() => this.locked(actorId, key, hash, run));
    const tail = result.catch(() => {});
    this.tails.set(slot, tail);
    void tail.then(() => {
      if (this.tails.get(slot) === tail) this.tails.delete(slot);
    });
    return result;
  }

  private async locked(actorId: string, key: string, hash: string, run: () => Promise<{ status: number; body: Record<string, unknown> }>): Promise<StoredAnswer> {
    const client = await this.lockPool.connect();
    const lockName = `leadline:idempotency:${actorId}:${key}`;
    let broken = false;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockName]);
      try {
        const { rows } = await client.query<{ request_hash: string; status: number; body: Record<string, unknown> }>(
          'SELECT request_hash, status, body FROM cmd.idempotency WHERE actor_id = $1 AND key = $2',
          [actorId, key],
        );
        const prior = rows[0];
        if (prior) {
          if (prior.request_hash !== hash)
            throw new IllegalStateError('idempotency-key-reused', 'This Idempotency-Key was already used for a different request; use a new key for a new request');
          return { status: prior.status, body: prior.body, replayed: true };
        }
        const answer = await run();
        if (answer.status >= 200 && answer.status < 300) {
          await client.query(
            'INSERT INTO cmd.idempotency (actor_id, key, request_hash, status, body) VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT DO NOTHING',
            [actorId, key, hash, answer.status, JSON.stringify(answer.body)],
          );
        }
        return { ...answer, replayed: false };
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockName]).catch(() => {
          broken = true;
        });
      }
    } catch (err) {
      if (isDatabaseUnavailable(err)) broken = true;
      throw err;
    } finally {
      // A session we could not unlock must not go back to the pool still holding the lock.
      client.release(broken);
    }
  }

  /** Forgetting a lead: every stored answer (and its request's fingerprint) that names one of these ids (the lead, its activities). */
  async purgeMentioning(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { rowCount } = await this.lockPool.query(
      `DELETE FROM cmd.idempotency i WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS id WHERE i.body::text ILIKE '%' || id || '%')`,
      [ids],
    );
    return rowCount ?? 0;
  }

  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.lockPool.query(`DELETE FROM cmd.idempotency WHERE created_at < now() - make_interval(hours => $1)`, [IDEMPOTENCY_RETENTION_HOURS]);
    return rowCount ?? 0;
  }
}
