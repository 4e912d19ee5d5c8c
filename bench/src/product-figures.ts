import crypto from 'node:crypto';
import WebSocket from 'ws';
import { bootstrap } from '@leadline/command';
import type { StageDto } from '@leadline/contracts';
import { bulkAppend, planDataset, type PlanStage } from '@leadline/datagen';
import { MasterKeys, defaultKeyFile, openEventStore } from '@leadline/eventstore';
import { createLogger, createPool } from '@leadline/platform';
import { PROJECTION_NAMES, projectorConnections, rebuildMany, startProjector } from '@leadline/projector';
import { startStack } from '../../scripts/stack.ts';
import { percentiles, timedPool, type Figure } from './stats.ts';

export type ProductSizes = { leads: number; commands: number; concurrency: number; boardRequests: number; timelineEntries: number; liveSeconds: number; liveRate: number };

const ADMIN = { email: 'bench@leadline.local', password: 'bench-admin-password' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The product on one database of `leads` bulk-loaded leads: bulk load, catch-up, rebuild, commands, board, live. */
export async function productFigures(url: string, dataDir: string, sizes: ProductSizes, log: (s: string) => void, stages: PlanStage[] | null = null): Promise<Figure[]> {
  const out: Figure[] = [];
  const logger = createLogger('bench', 'silent');
  const pool = createPool(url, { max: projectorConnections(PROJECTION_NAMES.length) + 4, applicationName: 'bench' });
  // The product's store (sealing personal data) with the key file the stack below uses too.
  const masterKeys = MasterKeys.ensureFile(defaultKeyFile(dataDir));
  const store = await openEventStore({ kind: 'postgres' }, { pool, databaseUrl: url, log: logger, masterKeys });
  const boot = await bootstrap({ eventStore: store, pool, adminEmail: ADMIN.email, adminPassword: ADMIN.password, log: logger });
  // Stages of the default pipeline in board order, as the pipeline stream holds them.
  const pipe = await store.readStream(`pipeline-${boot.defaultPipelineId}`);
  const planStages: PlanStage[] =
    stages ??
    pipe
      .filter((e) => e.type === 'StageAdded')
      .map((e) => e.data as { stageId: string; name: string; isWon: boolean; isLost: boolean; orderPosition: number })
      .sort((a, b) => a.orderPosition - b.orderPosition)
      .map((d) => ({ id: d.stageId, name: d.name, isWon: d.isWon, isLost: d.isLost }));

  log(`bulk-loading ${sizes.leads} leads through the bulk path ...`);
  const plan = planDataset({ leads: sizes.leads, seed: 2026, stages: planStages, ownerIds: [boot.admin.userId], start: Date.UTC(2025, 0, 1), end: Date.UTC(2026, 0, 1) });
  const loaded = await bulkAppend(pool, store.keyring, plan, { pipelineId: boot.defaultPipelineId, stages: planStages, actorId: boot.admin.userId }, { batchSize: 5000 });
  out.push({ name: 'bulk path load (datagen)', workload: `${sizes.leads} leads, ${loaded.commands} commands → ${loaded.events} events, ${Math.round(loaded.bytes / 1e6)} MB JSON`, samples: loaded.events, value: (loaded.events / loaded.ms) * 1000, unit: 'events/s' });

  log('projector catch-up (all projections) ...');
  const head = await store.headCheckpoint();
  const t0 = performance.now();
  const projector = await startProjector({ pool, eventStore: store, logger });
  for (;;) {
    const { rows } = await pool.query<{ behind: number }>(`SELECT count(*)::int AS behind FROM projector.projections WHERE checkpoint < $1`, [head]);
    const { rows: n } = await pool.query<{ n: number; failed: string | null }>(`SELECT count(*)::int AS n, string_agg(name || ': ' || error, '; ') FILTER (WHERE status = 'failed') AS failed FROM projector.projections`);
    if (n[0].failed) throw new Error(`a projection failed during catch-up: ${n[0].failed}`);
    if (rows[0].behind === 0 && n[0].n >= PROJECTION_NAMES.length) break;
    await sleep(50);
  }
  const catchUpMs = performance.now() - t0;
  const total = Number((await pool.query(`SELECT count(*) AS n FROM es.events`)).rows[0].n);
  out.push({ name: 'projection catch-up (all Leadline projections)', workload: `${total} events from the start, ${PROJECTION_NAMES.length} projections side by side`, samples: total, value: (total / catchUpMs) * 1000, unit: 'events/s' });
  await projector.stop();

  log('full rebuild of every projection (one pass over the log) ...');
  const t1 = performance.now();
  await rebuildMany({ pool, eventStore: store, logger }, PROJECTION_NAMES, { pollMs: 100 });
  const rebuildMs = performance.now() - t1;
  out.push({ name: 'full rebuild (every projection, one pass)', workload: `${total} events × ${PROJECTION_NAMES.length} projections`, samples: total, value: rebuildMs / 1000, unit: 's' });
  await pool.end();

  log('starting the product on that database ...');
  const stack = await startStack({ databaseUrl: url, dataDir, port: 0, host: '127.0.0.1', sessionSecret: crypto.randomBytes(32).toString('hex'), adminEmail: ADMIN.email, adminPassword: ADMIN.password, repVisibility: 'all', cookieSecure: false, masterKeys, logLevel: (process.env.BENCH_LOG_LEVEL as 'error' | undefined) ?? 'silent' });
  try {
    const login = await fetch(`${stack.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    const token = ((await login.json()) as { token: string }).token;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(stack.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const stageDtos = (await call('GET', '/api/pipeline/stages')) as unknown as StageDto[];
    const open = stageDtos.filter((s) => !s.isWon && !s.isLost);
    const rep = (await call('POST', '/api/users', { email: `rep-${Date.now()}@bench.local`, name: 'Bench Rep', role: 'rep', password: 'bench-rep-password' })).id as string;

    log('command path ...');
    const ids: string[] = [];
    const create = await timedPool(sizes.commands, sizes.concurrency, async (i) => void ids.push((await call('POST', '/api/leads', { company: `Bench ${i}`, dealValue: 1000 + i })).id as string));
    const move = await timedPool(sizes.commands, sizes.concurrency, async (i) => void (await call('PUT', `/api/leads/${ids[i]}/move-stage`, { stageId: open[1].id })));
    const assign = await timedPool(sizes.commands, sizes.concurrency, async (i) => void (await call('POST', '/api/leads/assign', { leadIds: [ids[i]], userId: rep })));
    for (const [name, r] of [['create', create], ['move', move], ['assign', assign]] as const)
      out.push({ name: `command ${name}`, workload: `HTTP, ${sizes.concurrency} concurrent clients, ${sizes.leads.toLocaleString('en-US')} leads in the store`, samples: sizes.commands, value: (sizes.commands / r.ms) * 1000, unit: 'commands/s', ...percentiles(r.latencies) });

    log('board API ...');
    const board = await timedPool(sizes.boardRequests, 1, async () => void (await call('GET', '/api/pipeline/board')));
    out.push({ name: 'board API GET /api/pipeline/board', workload: `${(sizes.leads + sizes.commands).toLocaleString('en-US')} leads, admin, first page of every column`, samples: sizes.boardRequests, ...percentiles(board.latencies), value: (sizes.boardRequests / board.ms) * 1000, unit: 'requests/s' });

    log(`lead timeline with ${sizes.timelineEntries} entries ...`);
    const busy = (await call('POST', '/api/leads', { company: 'Busy Timeline Inc' })).id as string;
    let logged = '';
    for (let done = 0; done < sizes.timelineEntries; done += 200) {
      const types = ['call', 'email', 'note', 'meeting', 'task', 'sms'];
      const activities = Array.from({ length: Math.min(200, sizes.timelineEntries - done) }, (_, i) => ({ type: types[(done + i) % 6], leadId: busy, subject: `Follow-up ${done + i}`, description: `Entry ${done + i} of the busy lead` }));
      logged = (await call('POST', '/api/activities/bulk', { activities })).checkpoint as string;
    }
    await call('GET', `/api/leads/${busy}/timeline?limit=30&minCheckpoint=${logged}`);
    const timeline = await timedPool(sizes.boardRequests, 1, async () => void (await call('GET', `/api/leads/${busy}/timeline?limit=30`)));
    out.push({ name: 'lead timeline API, first page', workload: `GET /api/leads/:id/timeline?limit=30, a lead with ${(sizes.timelineEntries + 1).toLocaleString('en-US')} entries`, samples: sizes.boardRequests, ...percentiles(timeline.latencies), value: (sizes.boardRequests / timeline.ms) * 1000, unit: 'requests/s' });

    log(`live latency at ${sizes.liveRate} commands/s ...`);
    const ws = new WebSocket(`${stack.url.replace('http', 'ws')}/api/live?token=${token}`);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const seen = new Map<string, number>();
    const refetches: number[] = [];
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { type: string; channel?: string; cards?: { id: string }[] };
      if (msg.type === 'change') for (const c of msg.cards ?? []) if (!seen.has(c.id)) seen.set(c.id, performance.now());
      // A batch too large to list its keys arrives as a refetch: the client learns of every change in it then.
      if (msg.type === 'refetch' && msg.channel === 'board') refetches.push(performance.now());
    });
    ws.send(JSON.stringify({ type: 'subscribe', channels: ['board'] }));
    await sleep(500);
    const accepted = new Map<string, { sentAt: number; at: number }>();
    const count = Math.round(sizes.liveSeconds * sizes.liveRate);
    // Distinct leads, each moved once, so that every change message names exactly one pending move.
    // Leads of every open stage but the target, so that a small dataset still has `count` of them.
    const sources = open.filter((_, i) => i !== 2).map((st) => st.id);
    const liveIds = (await stack.pool.query<{ id: string }>(`SELECT id FROM read.leads WHERE stage_id = ANY($1::uuid[]) ORDER BY id LIMIT $2`, [sources, count])).rows.map((r) => r.id);
    if (liveIds.length < count) throw new Error(`live: only ${liveIds.length} leads to move, ${count} needed`);
    const sends: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const wait = start + (i * 1000) / sizes.liveRate - performance.now();
      if (wait > 0) await sleep(wait);
      const id = liveIds[i % liveIds.length];
      const sentAt = performance.now();
      sends.push(call('PUT', `/api/leads/${id}/move-stage`, { stageId: open[2].id }).then(() => void accepted.set(id, { sentAt, at: performance.now() })));
    }
    await Promise.all(sends);
    const achieved = (count / (performance.now() - start)) * 1000;
    await sleep(2000);
    ws.close();
    let viaChange = 0;
    let viaRefetch = 0;
    const lat: number[] = [];
    for (const [id, { sentAt, at }] of accepted) {
      const change = seen.get(id);
      const refetch = refetches.find((t) => t >= sentAt);
      const delivered = change !== undefined && (refetch === undefined || change <= refetch) ? (viaChange++, change) : refetch !== undefined ? (viaRefetch++, refetch) : undefined;
      if (delivered !== undefined) lat.push(Math.max(0, delivered - at));
    }
    out.push({ name: 'live: command accepted → WebSocket message', workload: `${count} moves of distinct leads at ${sizes.liveRate}/s (achieved ${Math.round(achieved)}/s), 1 board subscriber; ${viaChange} as change, ${viaRefetch} as refetch, ${count - lat.length} never`, samples: lat.length, value: lat.length / Math.max(1, count), unit: 'delivered share', ...percentiles(lat) });
  } finally {
    await stack.stop();
  }
  return out;
}
