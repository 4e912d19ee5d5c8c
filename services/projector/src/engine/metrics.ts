import { decodePgCheckpoint, type EventStore } from '@leadline/eventstore';
import { metricsRegistry } from '@leadline/platform';
import client from 'prom-client';
import type pg from 'pg';

const LAG_CAP = 100_000;

function metric<T extends client.Metric>(name: string, make: () => T): T {
  return (metricsRegistry.getSingleMetric(name) as T | undefined) ?? make();
}

// Several projector instances may live in one process (tests, npm start): register each metric once.
export const lagEvents = metric(
  'leadline_projection_lag_events',
  () => new client.Gauge({ name: 'leadline_projection_lag_events', help: `Events after the projection's checkpoint (counted up to ${LAG_CAP})`, labelNames: ['projection'], registers: [metricsRegistry] }),
);
export const lagSeconds = metric(
  'leadline_projection_lag_seconds',
  () => new client.Gauge({ name: 'leadline_projection_lag_seconds', help: 'Age of the oldest event the projection has not processed (0 if none)', labelNames: ['projection'], registers: [metricsRegistry] }),
);
export const eventsTotal = metric(
  'leadline_projection_events_total',
  () => new client.Counter({ name: 'leadline_projection_events_total', help: 'Events the projection has applied', labelNames: ['projection'], registers: [metricsRegistry] }),
);

export type Lag = { events: number; seconds: number };

/**
 * Lag behind the readable head. With the PostgreSQL store the count is one indexed query; with
 * another store it is bounded by one page of readAll.
 */
export async function measureLag(pool: pg.Pool, store: EventStore, checkpoint: string): Promise<Lag> {
  if (store.kind === 'postgres') {
    const { xid, position } = decodePgCheckpoint(checkpoint);
    const { rows } = await pool.query<{ events: number; seconds: number | null }>(
      `WITH pending AS (
         SELECT recorded_at FROM es.events
         WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
           AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY transaction_id, global_position
         LIMIT ${LAG_CAP})
       SELECT count(*)::int AS events, extract(epoch FROM now() - min(recorded_at))::float8 AS seconds FROM pending`,
      [xid, position],
    );
    return { events: rows[0].events, seconds: Math.max(0, rows[0].seconds ?? 0) };
  }
  const page = await store.readAll({ after: checkpoint, limit: 500 });
  const oldest = page[0];
  return { events: page.length, seconds: oldest ? Math.max(0, (Date.now() - Date.parse(oldest.recordedAt)) / 1000) : 0 };
}
