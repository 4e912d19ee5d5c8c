/**
 * Global search and the sorted lead list at N leads (default 100,000), over HTTP, as an admin and
 * as a rep with own visibility (their own and unassigned leads).
 *
 *   npx tsx bench/search.ts [--leads=100000] [--reps=20] [--activities=100000] [--requests=300] [--data=DIR] [--only=REGEX]
 *
 * Leads go in through the datagen bulk path (each with an external id, the custom field
 * `externalId`), owned by --reps reps or unassigned, and lead_cards catches up as in production;
 * activities are synthetic rows straight into the activities projection's table (activities-text.ts),
 * spread over the leads. The measured server runs the command and query apps without a projector
 * (REP_VISIBILITY=own). Each row: a warm-up, then --requests requests one after another, cycling
 * through that row's queries. `--data=DIR` keeps the loaded database; a later run with the same
 * DIR measures again on the same data (used to compare query changes). `--only=REGEX` measures the
 * rows whose name matches (e.g. `--only='sort=(stage|owner)'`).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { leadSortKeys, type LeadSort, type SortDir } from '@leadline/contracts';
import { bootstrap, buildCommandApp } from '@leadline/command';
import { bulkAppend, planDataset, vocabulary as datagenWords, type PlanStage, type PlannedCommand } from '@leadline/datagen';
import { MasterKeys, defaultKeyFile, openEventStore, type EventStore } from '@leadline/eventstore';
import { createLogger, createPool, createServer, startEmbeddedPostgres, type Logger } from '@leadline/platform';
import { projectorConnections, projections, startProjector } from '@leadline/projector';
import { buildQueryApp } from '@leadline/query';
import { insertSyntheticActivities, vocabulary } from './activities-text.ts';
import { fmt, percentiles } from './src/stats.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const LEADS = opt('leads', 100_000);
const REPS = opt('reps', 20);
const ACTIVITIES = opt('activities', 100_000);
const REQUESTS = opt('requests', 300);
const WARMUP = Math.max(20, Math.round(REQUESTS / 10));
const DATA = args.find((a) => a.startsWith('--data='))?.split('=')[1];
const ONLY = new RegExp(args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? '');
const SESSION_SECRET = crypto.randomBytes(32).toString('hex');
const NEEDED = projections.filter((p) => ['users', 'stages', 'lead_cards', 'activities', 'field_policy'].includes(p.name));
const ADMIN = { email: 'bench@leadline.local', password: 'bench-admin-password' };
const REP_PASSWORD = 'bench-rep-password';
const DAY = 86_400_000;
const log = (s: string) => console.log(`[bench:search] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const externalId = (i: number) => `EXT-${String(i).padStart(7, '0')}`;

/** The plan's leads, each created with an external id (datagen leaves custom fields empty). */
function* withExternalIds(plan: Iterable<PlannedCommand>): Generator<PlannedCommand> {
  let i = 0;
  for (const cmd of plan) {
    if (cmd.kind === 'create') cmd.body.customFields = { ...cmd.body.customFields, externalId: externalId(++i) };
    yield cmd;
  }
}

/** Runs the projector with the projections these reads need until each reaches the head, then VACUUM ANALYZE. */
async function catchUp(pool: Pool, store: EventStore, logger: Logger): Promise<void> {
  const head = await store.headCheckpoint();
  const behind = async () =>
    (
      await pool.query<{ behind: number; n: number; failed: string | null }>(
        `SELECT count(*) FILTER (WHERE checkpoint < $1)::int AS behind, count(*)::int AS n, string_agg(name || ': ' || error, '; ') FILTER (WHERE status = 'failed') AS failed FROM projector.projections WHERE (name, version) IN (SELECT * FROM unnest($2::text[], $3::int[]))`,
        [head, NEEDED.map((p) => p.name), NEEDED.map((p) => p.version)],
      ).catch(() => ({ rows: [{ behind: 1, n: 0, failed: null }] }))
    ).rows[0];
  const first = await behind();
  if (first.behind === 0 && first.n >= NEEDED.length) return;
  log(`projector catching up (${NEEDED.map((p) => p.name).join(', ')}) ...`);
  const t0 = performance.now();
  const projector = await startProjector({ pool, eventStore: store, logger, projections: NEEDED, routing: false });
  for (;;) {
    const state = await behind();
    if (state.failed) throw new Error(`projection failed: ${state.failed}`);
    if (state.behind === 0 && state.n >= NEEDED.length) break;
    await sleep(200);
  }
  log(`caught up in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  await projector.stop();
  await pool.query('VACUUM ANALYZE');
}

/** Synthetic activities (realistic text) in the activities projection's table, each on one of the leads. */
async function seedActivities(pool: Pool, rows: number, words: string[]): Promise<void> {
  const { rows: [{ t }] } = await pool.query<{ t: string }>(`SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'read' AND c.relname LIKE 'activities__g%' AND c.relkind = 'r' ORDER BY c.relname DESC LIMIT 1`);
  const table = `read."${t}"`;
  await insertSyntheticActivities(pool, table, rows, words);
  await pool.query(
    `WITH l AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM read.leads), a AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ${table})
     UPDATE ${table} t SET lead_id = l.id FROM a JOIN l ON l.n = 1 + a.n % (SELECT count(*) FROM read.leads) WHERE t.id = a.id`,
  );
  await pool.query(`VACUUM ANALYZE ${table}`);
}

type Row = { name: string; admin?: number[]; rep?: number[] };

/** p50 / p95 / p99 / max of one cell, ms. */
const cell = (xs: number[] | undefined) => {
  if (!xs) return '';
  const p = percentiles(xs);
  return `${fmt(p.p50)} / ${fmt(p.p95)} / ${fmt(p.p99)} / ${fmt(Math.max(...xs))}`;
};

async function main() {
  const dataDir = DATA ? path.resolve(DATA) : fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-bench-search-'));
  fs.mkdirSync(dataDir, { recursive: true });
  fs.chmodSync(dataDir, 0o755);
  const loadedMarker = path.join(dataDir, 'loaded.json');
  const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg-home'), database: 'postgres' });
  const started = Date.now();
  const rows: Row[] = [];
  let dataset = '';
  try {
    const url = db.url;
    const logger = createLogger('bench', 'silent');
    const pool = createPool(url, { max: projectorConnections(NEEDED.length, false) + 8, applicationName: 'bench-search' });
    const store = await openEventStore({ kind: 'postgres' }, { pool, databaseUrl: url, log: logger, masterKeys: MasterKeys.ensureFile(defaultKeyFile(dataDir)) });
    const boot = await bootstrap({ eventStore: store, pool, adminEmail: ADMIN.email, adminPassword: ADMIN.password, log: logger });
    const app = await createServer({ logger, title: 'Leadline API (bench)' });
    await app.register(buildCommandApp({ pool, eventStore: store, sessionSecret: SESSION_SECRET, cookieSecure: false }));
    await app.register(buildQueryApp({ pool, databaseUrl: url, sessionSecret: SESSION_SECRET, repVisibility: 'own' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const words = vocabulary();
    try {
      const login = async (email: string, password: string) => {
        const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
        if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { token: string }).token;
      };
      const adminToken = await login(ADMIN.email, ADMIN.password);
      let repIds: string[];
      if (fs.existsSync(loadedMarker)) {
        repIds = (JSON.parse(fs.readFileSync(loadedMarker, 'utf8')) as { repIds: string[] }).repIds;
        log(`reusing the dataset in ${dataDir}`);
      } else {
        repIds = [];
        for (let i = 0; i < REPS; i++) {
          const res = await fetch(`${base}/api/users`, {
            method: 'POST',
            headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ email: `rep${i}@bench.local`, name: `Rep ${String(i).padStart(2, '0')} ${datagenWords.lastNames[i % datagenWords.lastNames.length]}`, role: 'rep', password: REP_PASSWORD }),
          });
          if (res.status >= 300) throw new Error(`POST /api/users: ${res.status} ${await res.text()}`);
          repIds.push(((await res.json()) as { id: string }).id);
        }
        const stages: PlanStage[] = (await store.readStream(`pipeline-${boot.defaultPipelineId}`))
          .filter((e) => e.type === 'StageAdded')
          .map((e) => e.data as { stageId: string; name: string; isWon: boolean; isLost: boolean; orderPosition: number })
          .sort((a, b) => a.orderPosition - b.orderPosition)
          .map((d) => ({ id: d.stageId, name: d.name, isWon: d.isWon, isLost: d.isLost }));
        log(`bulk-loading ${LEADS} leads owned by ${REPS} reps (10 % unassigned) ...`);
        const end = Date.now() - 2 * DAY;
        const plan = planDataset({ leads: LEADS, seed: 2026, stages, ownerIds: repIds, start: end - 365 * DAY, end });
        const loaded = await bulkAppend(pool, store.keyring, withExternalIds(plan), { pipelineId: boot.defaultPipelineId, stages, actorId: boot.admin.userId }, { batchSize: 5000 });
        log(`appended ${loaded.events} events in ${(loaded.ms / 1000).toFixed(0)} s`);
        await catchUp(pool, store, logger);
        const t0 = performance.now();
        await seedActivities(pool, ACTIVITIES, words);
        log(`inserted ${ACTIVITIES} synthetic activities in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        fs.writeFileSync(loadedMarker, JSON.stringify({ repIds, leads: LEADS, events: loaded.events }));
      }
      await catchUp(pool, store, logger);

      const rep = repIds[0];
      const repToken = await login('rep0@bench.local', REP_PASSWORD);
      const count = async (where: string, params: unknown[] = []) => Number((await pool.query(`SELECT count(*) AS n FROM read.leads l WHERE ${where}`, params)).rows[0].n);
      const leadCount = await count('TRUE');
      const repVisible = await count('l.owner_id = $1 OR l.owner_id IS NULL', [rep]);
      const activityCount = Number((await pool.query('SELECT count(*) AS n FROM read.activities')).rows[0].n);
      dataset = `${leadCount.toLocaleString('en-US')} leads (the rep sees ${repVisible.toLocaleString('en-US')}), ${activityCount.toLocaleString('en-US')} activities`;

      // Sample leads (spread over the table) give real emails, phones and external ids; the rep's from the leads it sees.
      type Sample = { email: string; phone: string; external_id: string };
      const sample = async (where: string, params: unknown[]) =>
        (await pool.query<Sample>(`SELECT email, phone, custom_fields ->> 'externalId' AS external_id FROM read.leads l WHERE ${where} ORDER BY md5(id::text) LIMIT 100`, params)).rows;
      const samples = { admin: await sample('TRUE', []), rep: await sample('l.owner_id = $1 OR l.owner_id IS NULL', [rep]) };
      const digits = (s: Sample) => s.phone.replace(/\D/g, '');
      const searches: [string, (s: Sample[]) => string[]][] = [
        ['full last name', () => datagenWords.lastNames.slice()],
        ['3-letter prefix of a name', () => datagenWords.lastNames.map((n) => n.slice(0, 3).toLowerCase())],
        ['company word', () => datagenWords.companyStems.filter((c) => !c.includes(' '))],
        ['email', (s) => s.map((x) => x.email)],
        ['phone, last 4 digits', (s) => s.map((x) => digits(x).slice(-4))],
        ['phone, last 7 digits', (s) => s.map((x) => digits(x).slice(-7))],
        ['external id', (s) => s.map((x) => x.external_id)],
        ['no match', () => Array.from({ length: 50 }, (_, i) => `qzxv${i}`)],
        ['activity word (rank 100-2,000)', () => Array.from({ length: 20 }, (_, i) => words[100 + i * 95])],
      ];

      const tokens = { admin: adminToken, rep: repToken };
      const get = async (who: 'admin' | 'rep', p: string) => {
        const res = await fetch(base + p, { headers: { authorization: `Bearer ${tokens[who]}` } });
        if (res.status !== 200) throw new Error(`GET ${p} as ${who}: ${res.status} ${await res.text()}`);
        return res.json() as Promise<{ leads?: unknown[]; activities?: unknown[]; items?: unknown[]; nextCursor?: string | null }>;
      };
      const time = async (who: 'admin' | 'rep', urls: string[]): Promise<number[]> => {
        for (let i = 0; i < WARMUP; i++) await get(who, urls[i % urls.length]);
        const out: number[] = [];
        for (let i = 0; i < REQUESTS; i++) {
          const t = performance.now();
          await get(who, urls[i % urls.length]);
          out.push(performance.now() - t);
        }
        return out;
      };
      const hits: Record<string, string> = {};
      for (const [name, make] of searches) {
        const row: Row = { name: `search: ${name}` };
        if (!ONLY.test(row.name)) continue;
        for (const who of ['admin', 'rep'] as const) {
          const urls = make(samples[who]).map((q) => `/api/search?q=${encodeURIComponent(q)}`);
          const first = await get(who, urls[0]);
          hits[`${row.name} ${who}`] = `${first.leads?.length ?? 0}+${first.activities?.length ?? 0}`;
          row[who] = await time(who, urls);
        }
        rows.push(row);
        log(`${row.name}: admin ${cell(row.admin)} / rep ${cell(row.rep)} ms`);
      }
      const dirs: SortDir[] = ['asc', 'desc'];
      for (const sort of leadSortKeys as readonly LeadSort[]) {
        for (const dir of dirs) {
          const row: Row = { name: `list: sort=${sort}&dir=${dir}, first page` };
          if (!ONLY.test(row.name)) continue;
          for (const who of ['admin', 'rep'] as const) row[who] = await time(who, [`/api/leads?sort=${sort}&dir=${dir}&limit=50`]);
          rows.push(row);
          log(`${row.name}: admin ${cell(row.admin)} / rep ${cell(row.rep)} ms`);
        }
      }
      for (const sort of leadSortKeys as readonly LeadSort[]) {
        const row: Row = { name: `list: sort=${sort}, page 50 (cursor)` };
        if (!ONLY.test(row.name)) continue;
        for (const who of ['admin', 'rep'] as const) {
          let cursor: string | null | undefined = null;
          for (let page = 1; page < 50; page++) {
            cursor = (await get(who, `/api/leads?sort=${sort}&limit=50${cursor ? `&cursor=${cursor}` : ''}`)).nextCursor;
            if (!cursor) throw new Error(`sort=${sort} as ${who}: only ${page} pages`);
          }
          row[who] = await time(who, [`/api/leads?sort=${sort}&limit=50&cursor=${cursor}`]);
        }
        rows.push(row);
        log(`${row.name}: admin ${cell(row.admin)} / rep ${cell(row.rep)} ms`);
      }
      log(`first answer's hits (leads+activities): ${JSON.stringify(hits)}`);
    } finally {
      await app.close();
      await pool.end();
    }
  } finally {
    await db.stop();
    if (!DATA) fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nLeadline search and lead list benchmark · ${new Date(started).toISOString()} · ${((Date.now() - started) / 1000).toFixed(0)} s · ${os.cpus().length} CPU · load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} · Node ${process.version}`);
  console.log(`${dataset}; ${REQUESTS} requests per cell after ${WARMUP} warm-up, one at a time, over HTTP\n`);
  const head = ['figure', 'admin p50 / p95 / p99 / max ms', 'rep (own) p50 / p95 / p99 / max ms'];
  const body = rows.map((r) => [r.name, cell(r.admin), cell(r.rep)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log([line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n'));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
