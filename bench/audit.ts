/**
 * What recording an audit event adds to a request (issue 11: < 5 ms at p95), and how fast the
 * chainer puts records into the hash chain.
 * `npx tsx bench/audit.ts [--records=3000] [--rounds=2]`
 * Starts a throwaway embedded PostgreSQL and times `await recordAudit(...)`, the whole cost a route
 * pays: the wait in the process's outbox queue and the INSERT's round trip and commit. Beside each,
 * the floor on the same machine at the same moment: a one-row INSERT into a table of the same shape
 * (what any durable write costs), so that a loaded machine shows as a slow floor, not a slow audit.
 * Workloads: one request at a time; 16 at once in one process; 8 at once in each of two replicas
 * (two pools, two outbox queues). The chainers (one per replica, one active) run meanwhile; at the
 * end the time until every record is in the chain, and the verify of the whole chain.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { recordAudit, startAuditChainer, verifyAuditTrail } from '@leadline/command';
import { PostgresEventStore } from '@leadline/eventstore';
import { createLogger, createPool, startEmbeddedPostgres } from '@leadline/platform';
import { percentiles, table, timedPool, type Figure } from './src/stats.ts';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const RECORDS = arg('records', 3000);
const ROUNDS = arg('rounds', 2);

const actor = { userId: '6f1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d', role: 'manager' as const, email: 'max@example.com' };
const record = (pool: pg.Pool, i: number) =>
  recordAudit(pool, { actor, ip: '10.0.0.1', userAgent: 'Mozilla/5.0 (bench)', correlationId: crypto.randomUUID() }, { kind: 'restricted_read', subject: { type: 'lead', id: crypto.randomUUID() }, detail: { fields: ['dealValue', 'email'], n: i } }).then(() => undefined);
const floor = (pool: pg.Pool, i: number) =>
  pool.query('INSERT INTO bench_floor (record_id, content) VALUES ($1, $2)', [crypto.randomUUID(), JSON.stringify({ kind: 'restricted_read', n: i, at: new Date().toISOString() })]).then(() => undefined);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-audit-bench-'));
fs.chmodSync(dataDir, 0o755);
const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg-home'), database: 'postgres' });
const pools = [createPool(db.url, { max: 20, applicationName: 'bench-audit-a' }), createPool(db.url, { max: 20, applicationName: 'bench-audit-b' })];
const logger = createLogger('bench-audit', 'warn');
const figures: Figure[] = [];
const figure = (name: string, workload: string, run: { latencies: number[]; ms: number }) => {
  const p = percentiles(run.latencies);
  figures.push({ name, workload, samples: p.n, value: (run.latencies.length / run.ms) * 1000, unit: 'records/s', p50: p.p50, p95: p.p95, p99: p.p99 });
};
try {
  const [a, b] = pools;
  const stores = await Promise.all(pools.map((pool) => PostgresEventStore.create(pool, db.url)));
  const chainers = await Promise.all(pools.map((pool, i) => startAuditChainer({ pool, eventStore: stores[i], logger })));
  await a.query('CREATE TABLE bench_floor (id bigserial PRIMARY KEY, record_id uuid NOT NULL UNIQUE, content jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT clock_timestamp())');
  await timedPool(300, 8, (i) => record(a, i)); // warm-up: connections, JIT, the outbox table
  await timedPool(300, 8, (i) => floor(a, i));
  const started = performance.now();
  for (let round = 1; round <= ROUNDS; round++) {
    figure(`floor: one-row INSERT, round ${round}`, '1 at a time', await timedPool(RECORDS, 1, (i) => floor(a, i)));
    figure(`recordAudit, round ${round}`, '1 at a time', await timedPool(RECORDS, 1, (i) => record(a, i)));
    figure(`floor: one-row INSERT, round ${round}`, '16 at once, 1 process', await timedPool(RECORDS, 16, (i) => floor(a, i)));
    figure(`recordAudit, round ${round}`, '16 at once, 1 process', await timedPool(RECORDS, 16, (i) => record(a, i)));
    const [ra, rb] = await Promise.all([a, b].map((pool) => timedPool(RECORDS / 2, 8, (i) => record(pool, i))));
    figure(`recordAudit, round ${round}`, '8 at once in each of 2 replicas', { latencies: [...ra.latencies, ...rb.latencies], ms: Math.max(ra.ms, rb.ms) });
  }
  const total = 300 + ROUNDS * RECORDS * 3;
  for (;;) {
    const { rows } = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM cmd.audit_outbox');
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const chainedMs = performance.now() - started;
  await Promise.all(chainers.map((c) => c.stop()));
  const verifyStarted = performance.now();
  const verified = await verifyAuditTrail(stores[0]);
  const verifyMs = performance.now() - verifyStarted;

  console.log(`\nrecordAudit on ${os.cpus().length} CPU ${os.cpus()[0]?.model}, Node ${process.version}, embedded PostgreSQL (fsync on), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log(table(figures));
  console.log(`\nchain: ${total.toLocaleString('en-US')} records in the chain ${(chainedMs / 1000).toFixed(1)} s after the first timed record (the chainer works while the records arrive)`);
  console.log(`verify: ${verified.events.toLocaleString('en-US')} events in ${verified.streams} stream(s), ${verified.broken ? 'BROKEN' : 'intact'}, ${(verifyMs / 1000).toFixed(2)} s (${Math.round(verified.events / (verifyMs / 1000)).toLocaleString('en-US')} events/s)`);
} finally {
  await Promise.all(pools.map((p) => p.end()));
  await db.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
