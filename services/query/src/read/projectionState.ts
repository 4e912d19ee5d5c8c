import type pg from 'pg';

export type ProjectionState = {
  name: string;
  status: string;
  checkpoint: string;
  error: string | null;
  failedEventId: string | null;
  heartbeatAt: string | null;
  /** Heartbeat within the last 30 seconds, by the database clock. */
  alive: boolean;
};

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_SCHEMA = '3F000';

/** Every row of `projector.projections`, or null before the projector has created the table. */
export async function readProjectionStates(pool: pg.Pool | pg.Client): Promise<ProjectionState[] | null> {
  try {
    const { rows } = await pool.query<{
      name: string;
      status: string;
      checkpoint: string | null;
      error: string | null;
      failed_event_id: string | null;
      heartbeat_at: Date | null;
      alive: boolean;
    }>(
      `SELECT name, status, checkpoint, error, failed_event_id::text, heartbeat_at,
              COALESCE(heartbeat_at > now() - interval '30 seconds', false) AS alive
       FROM projector.projections ORDER BY name`,
    );
    return rows.map((r) => ({
      name: r.name,
      status: r.status,
      checkpoint: r.checkpoint ?? '',
      error: r.error,
      failedEventId: r.failed_event_id,
      heartbeatAt: r.heartbeat_at ? r.heartbeat_at.toISOString() : null,
      alive: r.alive,
    }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === UNDEFINED_TABLE || code === UNDEFINED_SCHEMA) return null;
    throw err;
  }
}

export type RebuildProgress = { processed: number; total: number | null; eventsPerSecond: number | null; etaSeconds: number | null };

/** Rebuilds in progress by projection name (`projector.rebuilds`): events done, the log's size when it started, rate, time left. */
export async function readRebuildProgress(pool: pg.Pool | pg.Client): Promise<Map<string, RebuildProgress>> {
  try {
    const { rows } = await pool.query<{ name: string; processed: number; total: number | null; rate: number | null }>(
      `SELECT name, processed::float8 AS processed, total::float8 AS total,
              (processed / NULLIF(extract(epoch FROM now() - requested_at), 0))::float8 AS rate
       FROM projector.rebuilds`,
    );
    return new Map(
      rows.map((r) => [
        r.name,
        {
          processed: r.processed,
          total: r.total,
          eventsPerSecond: r.rate ? Math.round(r.rate) : null,
          etaSeconds: r.total !== null && r.rate ? Math.max(0, Math.round((r.total - r.processed) / r.rate)) : null,
        },
      ]),
    );
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === UNDEFINED_TABLE || code === UNDEFINED_SCHEMA) return new Map();
    throw err;
  }
}
