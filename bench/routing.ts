/**
 * Routing speed (issue 6): the routing decision for a new lead with 200 active rules and 100 reps,
 * and the time from a lead's creation to its assignment being visible in the board's read model.
 *
 *   npx tsx bench/routing.ts [--rules=200] [--reps=100] [--decisions=2000] [--leads=100]
 *
 * Starts the whole product on a throwaway embedded PostgreSQL, creates the reps (10 teams of 10),
 * and the rules through the API: rules 1..N-1 test country, deal value and a custom field in nested
 * groups and mostly do not match; the last one is a round robin catch-all, so every decision walks
 * every rule. Then it measures:
 *  1. the pure decision (`decideRouting`, every fact in memory), `--decisions` times;
 *  2. the decision with its reads, as the process manager makes it (rule set, team and the
 *     candidates' users, availability and open-lead counts from the store and read model);
 *  3. created → assigned → visible: POST /api/leads, then polling `read.leads` (what the board
 *     reads) every 2 ms until the owner shows, `--leads` leads one after another.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { completeLeadFields } from '@leadline/contracts';
import { startEmbeddedPostgres } from '@leadline/platform';
import { startStack } from '../scripts/stack.ts';
import { decideRouting, matchingRules } from '../services/command/src/assignment/choose.ts';
import { loadCandidates, loadRulesAsOf, loadTeamMembers } from '../services/command/src/assignment/facts.ts';

const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const RULES = arg('rules', 200);
const REPS = arg('reps', 100);
const DECISIONS = arg('decisions', 2000);
const LEADS = arg('leads', 100);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const stats = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(3)} ms, p95 ${pct(xs, 95).toFixed(3)} ms, p99 ${pct(xs, 99).toFixed(3)} ms (n=${xs.length})`;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-bench-routing-'));
const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres({ dataDir });
const databaseUrl = process.env.DATABASE_URL ?? embedded!.url;
const adminPassword = `pw-${crypto.randomBytes(8).toString('hex')}`;
const stack = await startStack({
  databaseUrl, dataDir, port: 0, host: '127.0.0.1', sessionSecret: crypto.randomBytes(32).toString('hex'),
  adminEmail: 'bench@leadline.local', adminPassword, repVisibility: 'own', cookieSecure: false, logLevel: 'silent',
});

try {
  const login = await fetch(stack.url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@leadline.local', password: adminPassword }) });
  const { token } = (await login.json()) as { token: string };
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const res = await fetch(stack.url + url, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  const t0 = performance.now();
  const reps: string[] = [];
  for (let i = 0; i < REPS; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, REPS - i) }, (_, j) => call<{ id: string }>('POST', '/api/users', { email: `rep${i + j}@bench.local`, name: `Rep ${i + j}`, role: 'rep', password: 'bench-password-1' })));
    reps.push(...batch.map((b) => b.id));
  }
  const teams: string[] = [];
  for (let t = 0; t < Math.ceil(REPS / 10); t++) teams.push((await call<{ id: string }>('POST', '/api/teams', { name: `Team ${t}`, memberIds: reps.slice(t * 10, t * 10 + 10) })).id);
  for (let r = 0; r < RULES - 1; r++) {
    const conditions = {
      all: [
        { field: 'country', operator: 'in', value: [`X${r}`, `Y${r}`] },
        { any: [{ field: 'dealValue', operator: 'gte', value: 1000 + r }, { field: 'custom.tier', operator: 'equals', value: `gold-${r}` }] },
      ],
    };
    const type = r % 3 === 0 ? { assignmentType: 'specific_user', userId: reps[r % reps.length] } : { assignmentType: r % 3 === 1 ? 'round_robin' : 'team', teamId: teams[r % teams.length] };
    await call('POST', '/api/assignments/rules', { name: `Rule ${String(r).padStart(3, '0')}`, priority: r + 1, conditions, ...type });
  }
  await call('POST', '/api/assignments/rules', { name: 'Catch-all', priority: 100000, conditions: { all: [] }, assignmentType: 'round_robin', teamId: teams[0] });
  console.log(`setup: ${REPS} reps, ${teams.length} teams, ${RULES} active rules in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // 1. The pure decision.
  const rules = await loadRulesAsOf(stack.eventStore);
  const members = new Map(await Promise.all(teams.map(async (t) => [t, await loadTeamMembers(stack.eventStore, t)] as const)));
  const candidates = await loadCandidates(stack.eventStore, stack.pool, reps);
  const lead = completeLeadFields({ company: 'Bench GmbH', country: 'DE', dealValue: 5000, customFields: { tier: 'silver' } });
  let last: string | null = null;
  const facts = { at: new Date().toISOString(), members: (id: string) => members.get(id), candidate: (id: string) => candidates.get(id), lastTurn: () => last };
  const pure: number[] = [];
  for (let i = 0; i < DECISIONS; i++) {
    const s0 = performance.now();
    const d = decideRouting(rules, lead, facts);
    pure.push(performance.now() - s0);
    if (d.outcome === 'assigned') last = d.ownerId;
  }
  console.log(`routing decision, pure (${rules.length} rules, ${REPS} reps): ${stats(pure)}`);

  // 2. The decision with the reads the process manager does for it.
  const withReads: number[] = [];
  for (let i = 0; i < Math.min(DECISIONS, 300); i++) {
    const s0 = performance.now();
    const rs = await loadRulesAsOf(stack.eventStore);
    const matches = matchingRules(rs, lead);
    const teamIds = [...new Set(matches.map((m) => m.rule.teamId).filter((t): t is string => t !== null))];
    const ms = new Map(await Promise.all(teamIds.map(async (t) => [t, await loadTeamMembers(stack.eventStore, t)] as const)));
    const cs = await loadCandidates(stack.eventStore, stack.pool, [...matches.flatMap((m) => (m.rule.userId ? [m.rule.userId] : [])), ...[...ms.values()].flatMap((m) => m ?? [])]);
    decideRouting(matches.map((m) => m.rule), lead, { at: facts.at, members: (id) => ms.get(id), candidate: (id) => cs.get(id), lastTurn: () => null });
    withReads.push(performance.now() - s0);
  }
  console.log(`routing decision with its reads (rule stream of ${RULES} events, team, candidates): ${stats(withReads)}`);

  // 3. Created → assigned → visible in the board's read model.
  const visible: number[] = [];
  for (let i = 0; i < LEADS; i++) {
    const s0 = performance.now();
    const { id } = await call<{ id: string }>('POST', '/api/leads', { company: `Lead ${i}`, country: 'DE', dealValue: 5000 });
    for (;;) {
      const { rows } = await stack.pool.query<{ owner_id: string | null }>('SELECT owner_id FROM read.leads WHERE id = $1', [id]);
      if (rows[0]?.owner_id) break;
      if (performance.now() - s0 > 10_000) throw new Error(`lead ${id} not assigned within 10 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
    visible.push(performance.now() - s0);
  }
  console.log(`created → assigned → visible in read.leads: ${stats(visible)}`);
} finally {
  await stack.stop();
  await embedded?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
