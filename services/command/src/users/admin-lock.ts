import type pg from 'pg';
import { isDatabaseUnavailable } from '@leadline/platform';

const LOCK = 'leadline:users:admins';

/**
 * Serialises the commands that can take away an admin (role change, disable) across replicas, so
 * that two admins demoting each other at once cannot leave nobody: each counts the enabled admins
 * (cmd.accounts) and writes its result there before the other counts.
 */
export async function withAdminLock<T>(lockPool: pg.Pool, fn: () => Promise<T>): Promise<T> {
  const client = await lockPool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK]).catch(() => {
        broken = true;
      });
    }
  } catch (err) {
    if (isDatabaseUnavailable(err)) broken = true;
    throw err;
  } finally {
    // A session still holding the lock must not go back to the pool.
    client.release(broken);
  }
}
