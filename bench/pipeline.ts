/**
 * Pipeline benchmarks (issue 3): with N leads in one pipeline (default 100,000) and M recorded moves
 * (default 1,000,000), the p95 of GET /api/pipeline/board, GET /api/pipeline/overview and
 * GET /api/pipeline/conversion-rates, and the board's time from navigation to first cards painted
 * in Chromium. Data goes in through the datagen bulk path (the same events the commands append),
 * then the projector catches up as it would in production.
 *
 *   npx tsx bench/pipeline.ts [--leads=100000] [--moves=1000000] [--requests=100] [--data=DIR]
 *
 * Only the projections these reads need are caught up (users, stages, lead_cards, stage_totals,
 * pipeline_history; no routing manager), and the measured server runs the command and query apps
 * without a projector, so nothing else competes for the two cores while requests are timed.
 * `--data=DIR` keeps the loaded database in DIR; a later run with the same DIR skips the load and
 * measures again (used to compare query changes on the same 1M-move dataset).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { chromium } from 'playwright-core';
import { bootstrap, buildCommandApp } from '@leadline/command';
import { bulkAppend, planDataset, type PlanStage, type PlannedCommand } from '@leadline/datagen';
import { MasterKeys, defaultKeyFile, openEventStore, type EventStore } from '@leadline/eventstore';
import { createLogger, createPool, createServer, startEmbeddedPostgres, type Logger } from '@leadline/platform';
import { projectorConnections, projections, startProjector } from '@leadline/projector';
import { buildQueryApp } from '@leadline/query';
import { repoRoot } from '../scripts/stack.ts';
import { percentiles, table, timedPool, type Figure } from './src/stats.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const LEADS = opt('leads', 100_000);
const MOVES = opt('moves', 1_000_000);
const REQUESTS = opt('requests', 100);
const DATA = args.find((a) => a.startsWith('--data='))?.split('=')[1];
const SESSION_SECRET = crypto.randomBytes(32).toString('hex');
const NEEDED = projections.filter((p) => ['users', 'stages', 'lead_cards', 'stage_totals', 'pipeline_history', 'conversion'].includes(p.name));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { email: 'bench@leadline.local', password: 'bench-admin-password' };
const DAY = 86_400_000;
const log = (s: string) => console.log(`[bench:pipeline] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The datagen plan, then extra moves among the open stages (after the plan's period, one lead after
 * another, never into the stage a lead is in) until `moves` moves are recorded in all.
 */
function* withMoves(plan: Iterable<PlannedCommand>, stages: PlanStage[], moves: number, after: number): Generator<PlannedCommand> {
  const stageOf = new Map<string, string>();
  let recorded = 0;
  for (const cmd of plan) {
    if (cmd.kind === 'create') stageOf.set(cmd.leadId, cmd.body.stageId ?? stages[0].id);
    if (cmd.kind === 'move') {
      stageOf.set(cmd.leadId, cmd.body.stageId);
      recorded++;
    }
    yield cmd;
  }
  const open = stages.filter((s) => !s.isWon && !s.isLost);
  const leadIds = [...stageOf.keys()];
  let at = after;
  for (let i = 0; recorded < moves; i++, recorded++) {
    const leadId = leadIds[i % leadIds.length];
    const from = stageOf.get(leadId)!;
    const to = open[(open.findIndex((s) => s.id === from) + 1 + (i % (open.length - 1))) % open.length];
    const target = to.id === from ? open[(open.indexOf(to) + 1) % open.length] : to;
    stageOf.set(leadId, target.id);
    at += 5;
    yield { at, kind: 'move', leadId, body: { stageId: target.id } };
  }
}

/** Runs the projector with the projections these reads need until each reaches the head, then ANALYZE. */
async function catchUp(pool: Pool, store: EventStore, logger: Logger): Promise<void> {
  const head = await store.headCheckpoint();
  const behind = async () =>
    (
      await pool.query<{ behind: number; n: number; failed: string | null; min: string | null }>(
        `SELECT count(*) FILTER (WHERE checkpoint < $1)::int AS behind, count(*)::int AS n, min(checkpoint)::text AS min, string_agg(name || ': ' || error, '; ') FILTER (WHERE status = 'failed') AS failed FROM projector.projections WHERE (name, version) IN (SELECT * FROM unnest($2::text[], $3::int[]))`,
        [head, NEEDED.map((p) => p.name), NEEDED.map((p) => p.version)],
      )
    ).rows[0];
  const first = await behind();
  if (first.behind === 0 && first.n >= NEEDED.length) return;
  log(`projector catching up (${NEEDED.map((p) => p.name).join(', ')}) ...`);
  const t0 = performance.now();
  const projector = await startProjector({ pool, eventStore: store, logger, projections: NEEDED, routing: false });
  let lastLog = 0;
  for (;;) {
    const rows = [await behind()];
    if (rows[0].failed) throw new Error(`projection failed: ${rows[0].failed}`);
    if (rows[0].behind === 0 && rows[0].n >= NEEDED.length) break;
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: slowest checkpoint ${rows[0].min} of ${head}`);
    }
    await sleep(200);
  }
  log(`caught up in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  await projector.stop();
  await pool.query('VACUUM ANALYZE');
}

async function main() {
  const dataDir = DATA ? path.resolve(DATA) : fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-bench-pipeline-'));
  fs.mkdirSync(dataDir, { recursive: true });
  fs.chmodSync(dataDir, 0o755);
  const loadedMarker = path.join(dataDir, 'loaded.json');
  const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg-home'), database: 'postgres' });
  const figures: Figure[] = [];
  const started = Date.now();
  try {
    const url = db.url;
    const logger = createLogger('bench', 'silent');
    const pool = createPool(url, { max: projectorConnections(NEEDED.length, false) + 8, applicationName: 'bench-pipeline' });
    // The product's store (sealing personal data), its key file kept with the dataset it opens.
    const store = await openEventStore({ kind: 'postgres' }, { pool, databaseUrl: url, log: logger, masterKeys: MasterKeys.ensureFile(defaultKeyFile(dataDir)) });
    const boot = await bootstrap({ eventStore: store, pool, adminEmail: ADMIN.email, adminPassword: ADMIN.password, log: logger });
    let end: number;
    if (fs.existsSync(loadedMarker)) {
      end = (JSON.parse(fs.readFileSync(loadedMarker, 'utf8')) as { end: number }).end;
      log(`reusing the dataset in ${dataDir}`);
    } else {
      const stages: PlanStage[] = (await store.readStream(`pipeline-${boot.defaultPipelineId}`))
        .filter((e) => e.type === 'StageAdded')
        .map((e) => e.data as { stageId: string; name: string; isWon: boolean; isLost: boolean; orderPosition: number })
        .sort((a, b) => a.orderPosition - b.orderPosition)
        .map((d) => ({ id: d.stageId, name: d.name, isWon: d.isWon, isLost: d.isLost }));

      log(`bulk-loading ${LEADS} leads and ${MOVES} moves ...`);
      end = Date.now() - 2 * DAY;
      const plan = planDataset({ leads: LEADS, seed: 2026, stages, ownerIds: [boot.admin.userId], start: end - 365 * DAY, end });
      const loaded = await bulkAppend(pool, store.keyring, withMoves(plan, stages, MOVES, end), { pipelineId: boot.defaultPipelineId, stages, actorId: boot.admin.userId }, { batchSize: 5000 });
      log(`appended ${loaded.events} events in ${(loaded.ms / 1000).toFixed(0)} s`);
      await catchUp(pool, store, logger);
      fs.writeFileSync(loadedMarker, JSON.stringify({ end, leads: LEADS, moves: MOVES, events: loaded.events }));
    }
    // A reused dataset may lack a projection added since it was loaded (or one whose version changed).
    await catchUp(pool, store, logger);
    const moves = Number((await pool.query(`SELECT count(*) AS n FROM read.stage_stays WHERE from_stage_id IS NOT NULL`)).rows[0].n);
    const leadCount = Number((await pool.query(`SELECT count(*) AS n FROM read.leads`)).rows[0].n);

    const webDist = path.join(repoRoot, 'web', 'dist');
    // The command and query apps as scripts/stack.ts builds them, without a projector (every
    // projection these reads use is at the head already).
    const app = await createServer({ logger, title: 'Leadline API (bench)' });
    await app.register(buildCommandApp({ pool, eventStore: store, sessionSecret: SESSION_SECRET, cookieSecure: false }));
    await app.register(buildQueryApp({ pool, databaseUrl: url, sessionSecret: SESSION_SECRET, repVisibility: 'all', webDist: fs.existsSync(webDist) ? webDist : undefined }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const stack = { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, stop: () => app.close() };
    try {
      const login = await fetch(`${stack.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
      const token = ((await login.json()) as { token: string }).token;
      const get = async (p: string) => {
        const res = await fetch(stack.url + p, { headers: { authorization: `Bearer ${token}` } });
        if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      };
      const workload = `${leadCount.toLocaleString('en-US')} leads in one pipeline, ${moves.toLocaleString('en-US')} recorded moves`;
      const measure = async (name: string, p: string, target: string) => {
        for (let i = 0; i < 5; i++) await get(p); // warm-up
        const r = await timedPool(REQUESTS, 1, () => get(p));
        figures.push({ name: `${name} (target p95 ${target})`, workload, samples: REQUESTS, value: (REQUESTS / r.ms) * 1000, unit: 'requests/s', ...percentiles(r.latencies) });
        log(`${name}: p95 ${percentiles(r.latencies).p95.toFixed(1)} ms`);
      };
      await measure('GET /api/pipeline/board', '/api/pipeline/board', '< 50 ms');
      await measure('GET /api/pipeline/overview', '/api/pipeline/overview', '< 50 ms');
      const from = new Date(end - 400 * DAY).toISOString();
      await measure('GET /api/pipeline/conversion-rates (all moves)', `/api/pipeline/conversion-rates?from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date().toISOString())}`, '< 200 ms');

      if (fs.existsSync(CHROMIUM) && fs.existsSync(webDist)) {
        const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'], headless: true });
        try {
          const page = await (await browser.newContext({ viewport: { width: 1600, height: 900 } })).newPage();
          await page.goto(stack.url + '/');
          await page.getByTestId('login-email').fill(ADMIN.email);
          await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(ADMIN.password);
          await page.getByTestId('login-submit').click();
          await page.locator('.lead-card').first().waitFor({ timeout: 60_000 });
          const paints: number[] = [];
          for (let i = 0; i < 10; i++) {
            const t = performance.now();
            await page.goto(stack.url + '/', { waitUntil: 'commit' });
            await page.locator('.lead-card').first().waitFor({ state: 'visible', timeout: 30_000 });
            paints.push(performance.now() - t);
          }
          figures.push({ name: 'board navigation → first cards painted, Chromium (target < 1 s)', workload, samples: paints.length, value: percentiles(paints).p50, unit: 'ms (p50)', ...percentiles(paints) });
          log(`first cards painted: p95 ${percentiles(paints).p95.toFixed(0)} ms`);
        } finally {
          await browser.close();
        }
      } else log('Chromium or web/dist missing: paint time not measured');
    } finally {
      await stack.stop();
      await pool.end();
    }
  } finally {
    await db.stop();
    if (!DATA) fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nLeadline pipeline benchmark · ${new Date(started).toISOString()} · ${((Date.now() - started) / 1000).toFixed(0)} s · ${os.cpus().length} CPU · Node ${process.version}\n`);
  console.log(table(figures));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
