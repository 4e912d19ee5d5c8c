/**
 * Does a lead with many activities make its commands slower? Activities live in their own
 * streams (`activity-<id>`), so a move on a lead reads only the lead's own events.
 *
 *   npx tsx bench/activities-move.ts [--activities=10000] [--moves=200] [--search-rows=100000]
 *
 * Starts the whole product on a throwaway embedded PostgreSQL (or DATABASE_URL, which it fills),
 * logs N activities on one lead through POST /api/activities/bulk, then times M moves on that busy
 * lead and on a fresh one, interleaved, through PUT /api/leads/:id/move-stage. Then it times the
 * busy lead's timeline pages, and activity search over --search-rows synthetic read-model rows.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@leadline/platform';
import { startStack } from '../scripts/stack.ts';

const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ACTIVITIES = arg('activities', 10_000);
const MOVES = arg('moves', 200);
const SEARCH_ROWS = arg('search-rows', 100_000);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const stats = (xs: number[]) => `mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)} ms, p50 ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms`;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-bench-'));
const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres({ dataDir });
const databaseUrl = process.env.DATABASE_URL ?? embedded!.url;
const adminPassword = `pw-${crypto.randomBytes(8).toString('hex')}`;
const stack = await startStack({
  databaseUrl, dataDir, port: 0, host: '127.0.0.1', sessionSecret: crypto.randomBytes(32).toString('hex'),
  adminEmail: 'bench@leadline.local', adminPassword, repVisibility: 'own', cookieSecure: false, logLevel: 'silent',
});
const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });

try {
  const call = async <T>(method: string, url: string, token: string, body?: unknown): Promise<T> => {
    const res = await fetch(stack.url + url, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const login = await fetch(stack.url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@leadline.local', password: adminPassword }) });
  const { token } = (await login.json()) as { token: string };
  const busy = await call<{ id: string; checkpoint: string }>('POST', '/api/leads', token, { company: 'Busy Inc' });
  const fresh = await call<{ id: string }>('POST', '/api/leads', token, { company: 'Fresh Ltd' });
  const board = await call<{ columns: { id: string; isWon: boolean; isLost: boolean }[] }>('GET', `/api/pipeline/board?minCheckpoint=${busy.checkpoint}`, token);
  const [a, b] = board.columns.filter((c) => !c.isWon && !c.isLost).map((c) => c.id);

  const started = Date.now();
  let last = '';
  for (let done = 0; done < ACTIVITIES; done += 200) {
    const n = Math.min(200, ACTIVITIES - done);
    const types = ['call', 'email', 'note', 'meeting', 'task', 'sms'] as const;
    const activities = Array.from({ length: n }, (_, i) => ({ type: types[(done + i) % 6], leadId: busy.id, subject: `Activity ${done + i} about pricing`, description: 'benchmark' }));
    last = (await call<{ checkpoint: string }>('POST', '/api/activities/bulk', token, { activities })).checkpoint;
    process.stdout.write(`\rlogged ${done + n}/${ACTIVITIES} activities on the busy lead`);
  }
  console.log(` in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const times: Record<'busy' | 'fresh', number[]> = { busy: [], fresh: [] };
  for (let i = 0; i < MOVES; i++) {
    for (const [name, id] of [['busy', busy.id], ['fresh', fresh.id]] as const) {
      const t0 = performance.now();
      await call('PUT', `/api/leads/${id}/move-stage`, token, { stageId: i % 2 === 0 ? b : a });
      times[name].push(performance.now() - t0);
    }
  }
  const streamLength = async (id: string) => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM es.events WHERE stream_id = $1`, [`lead-${id}`]).catch(() => ({ rows: [{ n: -1 }] }))).rows[0].n;
  console.log(`move on the lead with ${ACTIVITIES} activities: ${stats(times.busy)}`);
  console.log(`move on a fresh lead:                ${stats(times.fresh)}`);

  // Timeline of the busy lead: the projector must have caught up first.
  const first = await call<{ nextCursor: string | null; stale: boolean }>('GET', `/api/leads/${busy.id}/timeline?minCheckpoint=${last}&limit=30`, token);
  if (first.stale) await new Promise((r) => setTimeout(r, 5000));
  const firstPage: number[] = [];
  const laterPage: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    const page: { nextCursor: string | null } = await call('GET', `/api/leads/${busy.id}/timeline?limit=30`, token);
    firstPage.push(performance.now() - t0);
    cursor = cursor ?? page.nextCursor;
  }
  for (let i = 0; i < 100 && cursor; i++) {
    const t0 = performance.now();
    const page: { nextCursor: string | null } = await call('GET', `/api/leads/${busy.id}/timeline?limit=30&cursor=${cursor}`, token);
    laterPage.push(performance.now() - t0);
    cursor = page.nextCursor;
  }
  console.log(`timeline of a lead with ${ACTIVITIES + MOVES + 1} entries, first page (HTTP): ${stats(firstPage)}`);
  console.log(`timeline, later pages (HTTP, walking ${laterPage.length} pages): ${stats(laterPage)}`);

  if (SEARCH_ROWS > 0) {
    // Synthetic rows straight into the projection's table: this measures the search query, not the projector.
    const words = ['pricing', 'contract', 'renewal', 'demo', 'discovery', 'budget', 'legal', 'security', 'onboarding', 'invoice'];
    const { rows: [{ t }] } = await pool.query<{ t: string }>(`SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'read' AND c.relname LIKE 'activities__g%' AND c.relkind = 'r' ORDER BY c.relname DESC LIMIT 1`);
    const t0 = Date.now();
    await pool.query(
      `INSERT INTO read."${t}" (id, lead_id, type, user_id, created_by, subject, description, details, version, created_at, updated_at)
       SELECT gen_random_uuid(), gen_random_uuid(), 'note', gen_random_uuid(), 'bench', ($1::text[])[1 + i % 10] || ' ' || ($1::text[])[1 + (i / 10) % 10] || ' ' || i,
              'synthetic ' || md5(i::text), '{}'::jsonb, 1, now() - i * interval '1 second', now()
       FROM generate_series(1, $2::int) i`,
      [words, SEARCH_ROWS],
    );
    await pool.query(`ANALYZE read."${t}"`);
    console.log(`inserted ${SEARCH_ROWS} synthetic activities in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const search: number[] = [];
    for (let i = 0; i < 100; i++) {
      const q = `${words[i % 10]} ${words[(i * 7) % 10].slice(0, 4)}`;
      const s0 = performance.now();
      await call('GET', `/api/activities?q=${encodeURIComponent(q)}&limit=50`, token);
      search.push(performance.now() - s0);
    }
    console.log(`activity search over ${SEARCH_ROWS + ACTIVITIES} activities (HTTP, two-word prefix queries): ${stats(search)}`);
  }
  console.log(`lead stream lengths: busy ${await streamLength(busy.id)} events, fresh ${await streamLength(fresh.id)} events`);
} finally {
  await pool.end();
  await stack.stop();
  await embedded?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
