import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getPostgreSQLEventStore, postgreSQLEventStoreConsumer, postgreSQLRawSQLProjection } from '@event-driven-io/emmett-postgresql';
import { rawSql } from '@event-driven-io/dumbo';
import { PostgresEventStore, type NewEvent } from '@leadline/eventstore';
import { createLogger, createPool } from '@leadline/platform';
import { defineProjection, startProjector } from '@leadline/projector';
import { EventSynthesizer, planDataset, type BulkEvent, type PlanStage } from '@leadline/datagen';
import { percentiles, timedPool, type Figure } from './stats.ts';

const payload = (i: number) => ({ leadId: crypto.randomUUID(), previousOwnerId: null, ownerId: crypto.randomUUID(), reason: `bench ${i}` });
const ourEvent = (i: number): NewEvent => {
  const eventId = crypto.randomUUID();
  return { eventId, type: 'LeadAssigned', data: payload(i), metadata: { eventId, actorId: 'bench', occurredAt: new Date().toISOString(), schemaVersion: 1 } };
};

export type AppendSizes = { single: number; many: number; concurrency: number; batch: number; batches: number };

/** Append figures for Leadline, emmett-postgresql and the floor (plain INSERT, COPY), each in its own database of one cluster. */
export async function appendFigures(urlFor: (db: string) => Promise<string>, sizes: AppendSizes): Promise<Figure[]> {
  const oursUrl = await urlFor('bench_append_ours');
  const peerUrl = await urlFor('bench_append_peer');
  const floorUrl = await urlFor('bench_append_floor');
  const pool = createPool(oursUrl, { max: sizes.concurrency + 2, applicationName: 'bench' });
  const ours = await PostgresEventStore.create(pool, oursUrl);
  const peer = getPostgreSQLEventStore(peerUrl, { connectionOptions: { pooled: true } as never });
  await peer.schema.migrate();
  const out: Figure[] = [];
  const rate = (n: number, ms: number) => (n / ms) * 1000;

  // Single stream: one event per append, each appended after the previous, with the expected version.
  let v = 0;
  const s1 = await timedPool(sizes.single, 1, async (i) => {
    await ours.append('bench-single', [ourEvent(i)], v === 0 ? 'no_stream' : v);
    v++;
  });
  const p1 = await timedPool(sizes.single, 1, async (i) => {
    await peer.appendToStream('bench-single', [{ type: 'LeadAssigned', data: payload(i) }]);
  });
  // Many streams: one event per append into its own new stream, `concurrency` appends at once.
  const s2 = await timedPool(sizes.many, sizes.concurrency, async (i) => void (await ours.append(`bench-${i}`, [ourEvent(i)], 'no_stream')));
  const p2 = await timedPool(sizes.many, sizes.concurrency, async (i) => void (await peer.appendToStream(`bench-${i}`, [{ type: 'LeadAssigned', data: payload(i) }])));
  // Batched: `batch` events per append, one stream each.
  const s3 = await timedPool(sizes.batches, 1, async (b) => void (await ours.append(`bench-batch-${b}`, Array.from({ length: sizes.batch }, (_, i) => ourEvent(i)), 'no_stream')));
  const p3 = await timedPool(sizes.batches, 1, async (b) => void (await peer.appendToStream(`bench-batch-${b}`, Array.from({ length: sizes.batch }, (_, i) => ({ type: 'LeadAssigned', data: payload(i) })))));
  await peer.close();

  // The floor: the same rows (columns of es.events) with plain multi-row INSERT and with COPY, no stream bookkeeping.
  const floor = createPool(floorUrl, { max: 2, applicationName: 'bench-floor' });
  await floor.query(`CREATE TABLE IF NOT EXISTS floor_events (global_position bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, stream_id text NOT NULL, stream_version int NOT NULL,
    type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(), UNIQUE (stream_id, stream_version))`);
  const rowsOf = (b: number) => Array.from({ length: sizes.batch }, (_, i) => ({ e: ourEvent(i), stream: `floor-${b}`, version: i + 1 }));
  const f1 = await timedPool(sizes.batches, 1, async (b) => {
    const rows = rowsOf(b);
    const values: unknown[] = [];
    const tuples = rows.map((r, i) => {
      values.push(r.e.eventId, r.stream, r.version, r.e.type, JSON.stringify(r.e.data), JSON.stringify(r.e.metadata));
      return `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}::jsonb, $${i * 6 + 6}::jsonb)`;
    });
    await floor.query(`INSERT INTO floor_events (event_id, stream_id, stream_version, type, data, metadata) VALUES ${tuples.join(', ')}`, values);
  });
  // COPY from a file the server reads (no client-side COPY support in pg without another package).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-copy-'));
  fs.chmodSync(dir, 0o755);
  const file = path.join(dir, 'rows.csv');
  const esc = (s: string) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(file, Array.from({ length: sizes.batches }, (_, b) => rowsOf(b).map((r) => [r.e.eventId, `copy-${b}`, r.version, r.e.type, esc(JSON.stringify(r.e.data)), esc(JSON.stringify(r.e.metadata))].join(',')).join('\n')).join('\n') + '\n');
  fs.chmodSync(file, 0o644);
  const t = performance.now();
  await floor.query(`COPY floor_events (event_id, stream_id, stream_version, type, data, metadata) FROM '${file}' WITH (FORMAT csv)`);
  const copyMs = performance.now() - t;
  fs.rmSync(dir, { recursive: true, force: true });
  await floor.end();
  await pool.end();

  const batchEvents = sizes.batch * sizes.batches;
  const lat = (l: number[]) => percentiles(l);
  out.push({ name: 'append single-stream (Leadline)', workload: '1 event/append, sequential, expected version', samples: sizes.single, value: rate(sizes.single, s1.ms), unit: 'events/s', ...lat(s1.latencies), ratio: { label: 'ours/peer', value: rate(sizes.single, s1.ms) / rate(sizes.single, p1.ms) } });
  out.push({ name: 'append single-stream (emmett)', workload: 'same', samples: sizes.single, value: rate(sizes.single, p1.ms), unit: 'events/s', ...lat(p1.latencies) });
  out.push({ name: 'append many-stream (Leadline)', workload: `1 event/append, new stream each, ${sizes.concurrency} concurrent`, samples: sizes.many, value: rate(sizes.many, s2.ms), unit: 'events/s', ...lat(s2.latencies), ratio: { label: 'ours/peer', value: rate(sizes.many, s2.ms) / rate(sizes.many, p2.ms) } });
  out.push({ name: 'append many-stream (emmett)', workload: 'same', samples: sizes.many, value: rate(sizes.many, p2.ms), unit: 'events/s', ...lat(p2.latencies) });
  out.push({ name: 'append batched (Leadline)', workload: `${sizes.batch} events/append, sequential`, samples: batchEvents, value: rate(batchEvents, s3.ms), unit: 'events/s', ratio: { label: 'ours/peer', value: rate(batchEvents, s3.ms) / rate(batchEvents, p3.ms) } });
  out.push({ name: 'append batched (emmett)', workload: 'same', samples: batchEvents, value: rate(batchEvents, p3.ms), unit: 'events/s' });
  out.push({ name: 'floor: multi-row INSERT', workload: `same rows, ${sizes.batch} rows/statement`, samples: batchEvents, value: rate(batchEvents, f1.ms), unit: 'events/s', ratio: { label: 'ours batched/floor', value: rate(batchEvents, s3.ms) / rate(batchEvents, f1.ms) } });
  out.push({ name: 'floor: COPY', workload: 'same rows, one COPY', samples: batchEvents, value: rate(batchEvents, copyMs), unit: 'events/s', ratio: { label: 'ours batched/floor', value: rate(batchEvents, s3.ms) / rate(batchEvents, copyMs) } });
  return out;
}

const upsert = (table: string, e: { type: string; data: Record<string, unknown> }): { sql: string; params: unknown[] } | null => {
  const d = e.data;
  if (e.type === 'LeadCreated') return { sql: `INSERT INTO ${table} (id, stage_id, owner_id, moves) VALUES ($1, $2, $3, 0)`, params: [d.leadId, d.stageId, d.ownerId] };
  if (e.type === 'LeadMovedToStage') return { sql: `UPDATE ${table} SET stage_id = $2, moves = moves + 1 WHERE id = $1`, params: [d.leadId, d.toStageId] };
  if (e.type === 'LeadAssigned') return { sql: `UPDATE ${table} SET owner_id = $2 WHERE id = $1`, params: [d.leadId, d.ownerId] };
  return null;
};
const lit = (v: unknown) => (v === null || v === undefined ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);

/**
 * The same projection (one row per lead: stage, owner, number of moves) over the same events,
 * through Leadline's projection engine and through emmett's consumer + raw SQL projection.
 */
export async function projectionPeerFigures(urlFor: (db: string) => Promise<string>, leads: number, stages: PlanStage[]): Promise<Figure[]> {
  const synth = new EventSynthesizer({ pipelineId: crypto.randomUUID(), stages, actorId: crypto.randomUUID() });
  const byStream = new Map<string, BulkEvent[]>();
  let total = 0;
  for (const cmd of planDataset({ leads, seed: 7, stages, ownerIds: [crypto.randomUUID(), crypto.randomUUID()], start: Date.UTC(2024, 0, 1), end: Date.UTC(2025, 0, 1) }))
    for (const e of synth.events(cmd)) {
      const list = byStream.get(e.streamId) ?? [];
      byStream.set(e.streamId, list);
      list.push(e);
      total++;
    }

  // Leadline: the events in the store (bulk), then a projector with only this projection, timed from start to the head.
  const oursUrl = await urlFor('bench_proj_ours');
  const pool = createPool(oursUrl, { max: 6, applicationName: 'bench' });
  const store = await PostgresEventStore.create(pool, oursUrl);
  for (const [stream, events] of byStream) await store.append(stream, events.map((e) => ({ eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata })), 'no_stream');
  const head = await store.headCheckpoint();
  const projection = defineProjection({
    name: 'bench_lead_stage',
    version: 1,
    eventTypes: ['LeadCreated', 'LeadMovedToStage', 'LeadAssigned'],
    tables: [{ name: 'bench_lead_stage', ddl: (t) => `CREATE TABLE ${t} (id uuid PRIMARY KEY, stage_id uuid, owner_id uuid, moves int NOT NULL)` }],
    async handle(ctx, event) {
      const q = upsert(ctx.table('bench_lead_stage'), event as never);
      if (q) await ctx.db.query(q.sql, q.params);
    },
  });
  const t0 = performance.now();
  const projector = await startProjector({ pool, eventStore: store, logger: createLogger('bench', 'silent'), projections: [projection] });
  for (;;) {
    const { rows } = await pool.query(`SELECT checkpoint, status, error FROM projector.projections WHERE name = 'bench_lead_stage'`);
    if (rows[0]?.status === 'failed') throw new Error(`the bench projection failed: ${rows[0].error}`);
    if (rows[0]?.checkpoint >= head) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const oursMs = performance.now() - t0;
  await projector.stop();
  await pool.end();

  // emmett: the same events per stream, then a consumer with a raw SQL projection that stops when no messages are left.
  const peerUrl = await urlFor('bench_proj_peer');
  const peer = getPostgreSQLEventStore(peerUrl, { connectionOptions: { pooled: true } as never });
  await peer.schema.migrate();
  for (const [stream, events] of byStream) await peer.appendToStream(stream, events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown> })));
  const peerPool = createPool(peerUrl, { max: 2, applicationName: 'bench' });
  await peerPool.query(`CREATE TABLE IF NOT EXISTS bench_lead_stage (id uuid PRIMARY KEY, stage_id uuid, owner_id uuid, moves int NOT NULL)`);
  const consumer = postgreSQLEventStoreConsumer({ connectionString: peerUrl, stopWhen: { noMessagesLeft: true }, pulling: { batchSize: 500 } });
  consumer.projector({
    processorId: 'bench_lead_stage',
    projection: postgreSQLRawSQLProjection({
      name: 'bench_lead_stage',
      canHandle: ['LeadCreated', 'LeadMovedToStage', 'LeadAssigned'],
      evolve: (event: { type: string; data: Record<string, unknown> }) => {
        const q = upsert('bench_lead_stage', event)!;
        return rawSql(q.sql.replace(/\$(\d)/g, (_, n) => lit(q.params[Number(n) - 1])));
      },
    }) as never,
  });
  const t1 = performance.now();
  await consumer.start();
  const peerMs = performance.now() - t1;
  await consumer.close();
  const peerRows = (await peerPool.query(`SELECT count(*)::int AS n, sum(moves)::int AS m FROM bench_lead_stage`)).rows[0];
  await peerPool.end();
  await peer.close();
  const oursCheck = createPool(oursUrl, { max: 1 });
  const oursRows = (await oursCheck.query(`SELECT count(*)::int AS n, sum(moves)::int AS m FROM read.bench_lead_stage`)).rows[0];
  await oursCheck.end();
  if (oursRows.n !== peerRows.n || oursRows.m !== peerRows.m) throw new Error(`the two projections disagree: ours ${JSON.stringify(oursRows)}, emmett ${JSON.stringify(peerRows)}`);

  const rate = (ms: number) => (total / ms) * 1000;
  return [
    { name: 'projection catch-up, same projection (Leadline)', workload: `${leads} leads, ${total} events, 1 row per lead`, samples: total, value: rate(oursMs), unit: 'events/s', ratio: { label: 'ours/peer', value: rate(oursMs) / rate(peerMs) } },
    { name: 'projection catch-up, same projection (emmett)', workload: 'same events, consumer + raw SQL projection', samples: total, value: rate(peerMs), unit: 'events/s' },
  ];
}
