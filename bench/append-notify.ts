/**
 * Concurrent appends and the wake-up notices they cost (issue 10).
 * `npx tsx bench/append-notify.ts [--appends=4000] [--concurrency=16] [--rounds=3]`
 * Starts a throwaway embedded PostgreSQL, appends one event per new stream with `concurrency`
 * appends at once, and counts the `leadline_events` notices a LISTEN connection receives.
 * Odd rounds run as the store does now (wake-ups after the commit, coalesced); even rounds put back
 * the old statement trigger (a NOTIFY inside every append) beside it, for a same-machine comparison.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PostgresEventStore, type NewEvent } from '@leadline/eventstore';
import { createPool, startEmbeddedPostgres } from '@leadline/platform';
import { percentiles, timedPool } from './src/stats.ts';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const APPENDS = arg('appends', 4000);
const CONCURRENCY = arg('concurrency', 16);
const ROUNDS = arg('rounds', 3);

const event = (): NewEvent => {
  const eventId = crypto.randomUUID();
  return { eventId, type: 'LeadAssigned', data: { leadId: crypto.randomUUID(), ownerId: null }, metadata: { eventId, actorId: 'bench', occurredAt: new Date().toISOString(), schemaVersion: 1 } };
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-append-notify-'));
const db = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
const pool = createPool(db.url, { max: CONCURRENCY + 2, applicationName: 'bench' });
try {
  const store = await PostgresEventStore.create(pool, db.url);
  const listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  let notices = 0;
  listener.on('notification', (n) => n.channel === 'leadline_events' && notices++);
  await listener.query('LISTEN leadline_events');
  await timedPool(200, CONCURRENCY, async () => void (await store.append(`warm-${crypto.randomUUID()}`, [event()], 'no_stream')));
  const trigger = async (on: boolean) =>
    on
      ? pool.query(`CREATE OR REPLACE FUNCTION es.notify_appended() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN PERFORM pg_notify('leadline_events', ''); RETURN NULL; END $$;
          CREATE TRIGGER events_appended AFTER INSERT ON es.events FOR EACH STATEMENT EXECUTE FUNCTION es.notify_appended();`)
      : pool.query('DROP TRIGGER IF EXISTS events_appended ON es.events');
  for (let round = 1; round <= ROUNDS * 2; round++) {
    const old = round % 2 === 0;
    await trigger(old);
    await new Promise((r) => setTimeout(r, 200));
    notices = 0;
    const run = await timedPool(APPENDS, CONCURRENCY, async () => void (await store.append(`bench-${crypto.randomUUID()}`, [event()], 'no_stream')));
    await new Promise((r) => setTimeout(r, 200));
    const p = percentiles(run.latencies);
    console.log(
      `round ${round} (${old ? 'old trigger' : 'after commit'}): ${APPENDS} appends at ${CONCURRENCY} concurrent: ${Math.round((APPENDS / run.ms) * 1000)} appends/s, p50 ${p.p50.toFixed(2)} ms, p95 ${p.p95.toFixed(2)} ms; ${notices} notices received`,
    );
  }
  await trigger(false);
  await listener.end();
  await store.close();
} finally {
  await pool.end();
  await db.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
