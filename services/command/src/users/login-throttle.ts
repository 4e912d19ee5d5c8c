import type pg from 'pg';
import type { Migration } from '@leadline/platform';
import { decideAttempt, defaultThrottlePolicy, type ThrottlePolicy } from './login-policy.ts';

/** Throttle state in PostgreSQL, so that every replica counts the same attempts. */
export const loginThrottleMigrations: Migration[] = [
  {
    id: '003-login-throttle',
    sql: `CREATE SCHEMA IF NOT EXISTS cmd;
      CREATE TABLE IF NOT EXISTS cmd.login_failures (
        email text NOT NULL,
        address text NOT NULL,
        failures int NOT NULL,
        last_attempt_at timestamptz NOT NULL,
        PRIMARY KEY (email, address));
      CREATE INDEX IF NOT EXISTS login_failures_last_attempt ON cmd.login_failures (last_attempt_at);
      CREATE TABLE IF NOT EXISTS cmd.login_address_failures (
        address text PRIMARY KEY,
        failures int NOT NULL,
        window_started_at timestamptz NOT NULL);`,
  },
];

/** `failures`: of this account from this address, this attempt included; `addressFailures`: of the address in its window. */
export type Claim = { allowed: true; failures: number; addressFailures: number } | { allowed: false; retryAfterSeconds: number; limit: 'account' | 'address' };

const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

/**
 * `claim` before checking a password: under row locks (so concurrent attempts queue) it decides with
 * `decideAttempt` and, if allowed, counts the attempt as a failure; `succeeded` takes it back.
 * Times are the database's clock (the same for every replica), read after the locks were granted.
 */
export class LoginThrottle {
  constructor(private readonly pool: pg.Pool, readonly policy: ThrottlePolicy = defaultThrottlePolicy) {}

  async claim(email: string, address: string): Promise<Claim> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Upserts that change nothing but lock both rows (created if new), then the time after the wait for them.
      const { rows } = await client.query<{ pf: number; pat: number; af: number; aws: number; now: number }>(
        `WITH p AS (INSERT INTO cmd.login_failures AS t (email, address, failures, last_attempt_at) VALUES ($1, $2, 0, to_timestamp(0))
                    ON CONFLICT (email, address) DO UPDATE SET failures = t.failures RETURNING failures, last_attempt_at),
              a AS (INSERT INTO cmd.login_address_failures AS t (address, failures, window_started_at) VALUES ($2, 0, to_timestamp(0))
                    ON CONFLICT (address) DO UPDATE SET failures = t.failures RETURNING failures, window_started_at)
         SELECT p.failures AS pf, ${ms('p.last_attempt_at')} AS pat, a.failures AS af, ${ms('a.window_started_at')} AS aws, ${ms('clock_timestamp()')} AS now FROM p, a`,
        [email, address],
      );
      const r = rows[0];
      const decision = decideAttempt({ failures: r.pf, lastAttemptAt: r.pat }, { failures: r.af, windowStartedAt: r.aws }, r.now, this.policy);
      if (!decision.allowed) {
        await client.query('ROLLBACK');
        return decision;
      }
      await client.query(
        `WITH p AS (UPDATE cmd.login_failures SET failures = $3, last_attempt_at = to_timestamp($4 / 1000.0) WHERE email = $1 AND address = $2)
         UPDATE cmd.login_address_failures SET failures = $5, window_started_at = to_timestamp($6 / 1000.0) WHERE address = $2`,
        [email, address, decision.pair.failures, decision.pair.lastAttemptAt, decision.address.failures, decision.address.windowStartedAt],
      );
      await client.query('COMMIT');
      return { allowed: true, failures: decision.pair.failures, addressFailures: decision.address.failures };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** The attempt was right: this account starts over from this address, and the address gets its attempt back. */
  async succeeded(email: string, address: string): Promise<void> {
    await this.pool.query(
      `WITH p AS (DELETE FROM cmd.login_failures WHERE email = $1 AND address = $2)
       UPDATE cmd.login_address_failures SET failures = greatest(failures - 1, 0) WHERE address = $2`,
      [email, address],
    );
  }

  async purge(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `WITH p AS (DELETE FROM cmd.login_failures WHERE last_attempt_at < now() - make_interval(secs => $1) RETURNING 1),
            a AS (DELETE FROM cmd.login_address_failures WHERE window_started_at < now() - make_interval(secs => $2) RETURNING 1)
       SELECT ((SELECT count(*) FROM p) + (SELECT count(*) FROM a))::int AS n`,
      [this.policy.forgetAfterSeconds, this.policy.addressWindowSeconds],
    );
    return rows[0].n;
  }
}
