import { hash, verify } from '@node-rs/argon2';
import type { Migration, Queryable } from '@leadline/platform';

/**
 * Password hashes live here, on the command side, not in the event log: a change overwrites the
 * row, so an old hash is not kept forever. Only the command service reads this table.
 */
export const credentialMigrations: Migration[] = [
  {
    id: '002-credentials',
    sql: `CREATE SCHEMA IF NOT EXISTS cmd;
      CREATE TABLE IF NOT EXISTS cmd.credentials (
        user_id uuid PRIMARY KEY,
        password_hash text NOT NULL,
        must_change boolean NOT NULL DEFAULT false,
        changed_at timestamptz NOT NULL DEFAULT now());`,
  },
];

export type Credential = { passwordHash: string; mustChange: boolean };

export const hashPassword = (password: string): Promise<string> => hash(password);

let dummyHash: Promise<string> | undefined;
/** Verifying against a throwaway hash when there is no user keeps the answer time the same as for a wrong password. */
const hashForNobody = (): Promise<string> => (dummyHash ??= hash('leadline-no-such-user'));

export async function passwordMatches(credential: Credential | null, password: string): Promise<boolean> {
  const valid = await verify(credential?.passwordHash ?? (await hashForNobody()), password).catch(() => false);
  return credential !== null && valid;
}

export async function loadCredential(db: Queryable, userId: string): Promise<Credential | null> {
  const { rows } = await db.query<{ password_hash: string; must_change: boolean }>('SELECT password_hash, must_change FROM cmd.credentials WHERE user_id = $1', [userId]);
  return rows[0] ? { passwordHash: rows[0].password_hash, mustChange: rows[0].must_change } : null;
}

/** Overwrites the user's password (a change, a reset). */
export async function setCredential(db: Queryable, userId: string, passwordHash: string, options: { mustChange: boolean }): Promise<void> {
  await db.query(
    `INSERT INTO cmd.credentials (user_id, password_hash, must_change) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, must_change = EXCLUDED.must_change, changed_at = now()`,
    [userId, passwordHash, options.mustChange],
  );
}

/** The first password of a user (creation, bootstrap, the import of old events); never replaces one. Answers whether it was stored. */
export async function addFirstCredential(db: Queryable, userId: string, passwordHash: string, changedAt?: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO cmd.credentials (user_id, password_hash, changed_at) VALUES ($1, $2, COALESCE($3::timestamptz, now())) ON CONFLICT (user_id) DO NOTHING`,
    [userId, passwordHash, changedAt ?? null],
  );
  return (rowCount ?? 0) > 0;
}
