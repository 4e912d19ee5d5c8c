import type { Queryable } from './types.ts';

// Two-key advisory locks live in a key space apart from the one-key locks other components take.
const KEY = `hashtext('leadline:projector'), hashtext($1)`;

/** Session-level: held until unlocked or until the connection ends (a crashed instance frees it). */
export async function tryLockProjection(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${KEY}) AS ok`, [name]);
  return rows[0].ok;
}

export async function unlockProjection(db: Queryable, name: string): Promise<void> {
  await db.query(`SELECT pg_advisory_unlock(${KEY})`, [name]);
}

/** Serialises setup, rebuild requests and swaps of one projection across processes. */
export async function lockProjectionSetup(db: Queryable, name: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('leadline:projector:setup'), hashtext($1))`, [name]);
}
