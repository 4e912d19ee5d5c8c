/**
 * Does a lead with many activities make its commands slower? Activities live in their own
 * streams (`activity-<id>`), so a move on a lead reads only the lead's own events.
 *
 *   npx tsx bench/activities-move.ts [--activities=10000] [--moves=200] [--search-rows=100000]
 *
 * Starts the whole product on a throwaway embedded PostgreSQL (or DATABASE_URL, which it fills),
 * logs N activities on one lead through POST /api/activities/bulk, then times M moves on that busy
 * lead and on a fresh one, interleaved, through PUT /api/leads/:id/move-stage. Then it times the
 * busy lead's timeline pages, and activity search over --search-rows synthetic read-model rows
 * (realistic text, see activities-text.ts), by class of query: common, rare, prefixes, two words.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@leadline/platform';
import { startStack } from '../scripts/stack.ts';
import { insertSyntheticActivities, OLD_WORD, seededRandom, sentence, vocabulary } from './activities-text.ts';

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

  // The busy lead's activities get the same realistic text as the synthetic search rows.
  const words = vocabulary();
  const random = seededRandom(42);
  const started = Date.now();
  let last = '';
  for (let done = 0; done < ACTIVITIES; done += 200) {
    const n = Math.min(200, ACTIVITIES - done);
    const types = ['call', 'email', 'note', 'meeting', 'task', 'sms'] as const;
    const activities = Array.from({ length: n }, (_, i) => ({ type: types[(done + i) % 6], leadId: busy.id, subject: sentence(words, 2 + ((done + i) % 5), random), description: sentence(words, 5 + ((done + i) % 20), random) }));
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
    // Synthetic rows straight into the projection's table (realistic text: see activities-text.ts);
    // this measures the search query, not the projector.
    const { rows: [{ t }] } = await pool.query<{ t: string }>(`SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'read' AND c.relname LIKE 'activities__g%' AND c.relkind = 'r' ORDER BY c.relname DESC LIMIT 1`);
    const t0 = Date.now();
    await insertSyntheticActivities(pool, `read."${t}"`, SEARCH_ROWS, words);
    console.log(`inserted ${SEARCH_ROWS} synthetic activities (${words.length} words, Zipf-like) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Query classes: words by rank (common to rare), 3-4 letter prefixes, two words, a word found only far back, no match.
    const classes: Record<string, string[]> = {
      'common word (rank 1-20)': words.slice(0, 20),
      'short prefix (3-4 letters)': words.slice(0, 40).map((w, i) => w.slice(0, 3 + (i % 2))),
      'mid word (rank 100-2,000)': Array.from({ length: 20 }, (_, i) => words[100 + i * 95]),
      'rare word (rank 5,000-20,000)': Array.from({ length: 20 }, (_, i) => words[5000 + i * 749]),
      'two words (common + mid/rare)': Array.from({ length: 20 }, (_, i) => `${words[i % 20]} ${words[150 + i * 991].slice(0, 5)}`),
      'word only in the oldest 3,000': [OLD_WORD, OLD_WORD.slice(0, 6)],
      'no match': ['qqqqzz', 'zzzxq'],
    };
    const all: number[] = [];
    for (const [name, queries] of Object.entries(classes)) {
      const times: number[] = [];
      for (let i = 0; i < 40; i++) {
        const q = queries[i % queries.length];
        const s0 = performance.now();
        await call('GET', `/api/activities?q=${encodeURIComponent(q)}&limit=50`, token);
        times.push(performance.now() - s0);
      }
      all.push(...times);
      console.log(`  search, ${name.padEnd(32)} ${stats(times)}`);
    }
    console.log(`activity search over ${SEARCH_ROWS + ACTIVITIES} activities (HTTP, first page of 50, all classes): ${stats(all)}`);
  }
  console.log(`lead stream lengths: busy ${await streamLength(busy.id)} events, fresh ${await streamLength(fresh.id)} events`);
} finally {
  await pool.end();
  await stack.stop();
  await embedded?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
