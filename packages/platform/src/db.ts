import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// NUMERIC comes back as a string by default; deal values are at most 2 decimals, so a JS number is exact enough.
pg.types.setTypeParser(1700, (v) => (v === null ? null : Number(v)));
// int8 (bigint) stays a string: global positions and counts that could exceed 2^53 are opaque at boundaries.

export function createPool(connectionString: string, options: { max?: number; applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'leadline',
    connectionTimeoutMillis: 5_000,
  });
  // An idle client error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  guardCheckedOutClients(pool);
  return pool;
}

/**
 * pg-pool listens for errors only on idle clients. A client checked out and between two queries
 * (a transaction, a session lock, the projector's dedicated connection) that loses its server
 * (restart, pg_terminate_backend) emits 'error' with no listener: an uncaught exception that kills
 * the process. With this listener the loss surfaces instead as the rejection of that client's next
 * query (then `isDatabaseUnavailable`), and releasing it drops it from the pool.
 */
export function guardCheckedOutClients(pool: pg.Pool): void {
  pool.on('connect', (client) => client.on('error', () => {}));
}

export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** True for errors that mean "the database is not reachable right now" rather than a bug. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  const codes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
  if (e.code && codes.has(e.code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message ?? '');
}
