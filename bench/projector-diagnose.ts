/**
 * Projector diagnosis: per-projection catch-up alone (events/s, SQL statements per handled event,
 * the statements by kind), all projections side by side, and a full rebuild, each on a fresh clone
 * of one bulk-loaded database. `npx tsx bench/projector-diagnose.ts --leads=10000 [--only=a,b] [--skip-alone] [--explain] [--verify]`
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bootstrap } from '@leadline/command';
import { bulkAppend, planDataset, type PlanStage } from '@leadline/datagen';
import { MasterKeys, openEventStore } from '@leadline/eventstore';
import { createLogger, createPool, startEmbeddedPostgres } from '@leadline/platform';
import { projectorConnections, projections, rebuild, startProjector, verify, type Projection } from '@leadline/projector';

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const leads = Number(opt('leads') ?? 3000);
const only = opt('only')?.split(',');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Counts every statement sent by this process, by its first words.
const counts = new Map<string, number>();
/** Milliseconds from send to answer, by the same key (round trip plus the server's work). */
const times = new Map<string, number>();
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
  const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string })?.text ?? '';
  const key = text.replace(/\s+/g, ' ').replace(/read\.\w+__g\d+/g, (m) => m.replace(/__g\d+/, '')).slice(0, 70);
  counts.set(key, (counts.get(key) ?? 0) + 1);
  const started = performance.now();
  const result = (originalQuery as (...x: unknown[]) => unknown).apply(this, a);
  if (result instanceof Promise) void result.finally(() => times.set(key, (times.get(key) ?? 0) + performance.now() - started)).catch(() => undefined);
  return result;
} as typeof pg.Client.prototype.query;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-diag-'));
  fs.chmodSync(dataDir, 0o755);
  const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg-home'), database: 'postgres' });
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  const urlOf = (name: string) => db.url.replace(/\/[^/]*$/, `/${name}`);
  const logger = createLogger('diag', 'silent');
  try {
    await admin.query('CREATE DATABASE seed');
    const seedPool = createPool(urlOf('seed'), { max: 4, applicationName: 'diag' });
    // The product's store (sealing personal data); every clone below opens its copy of the keys with the same master key.
    const masterKeys = MasterKeys.of(crypto.randomBytes(32));
    const open = (pool: pg.Pool, url: string) => openEventStore({ kind: 'postgres' }, { pool, databaseUrl: url, log: logger, masterKeys });
    const store = await open(seedPool, urlOf('seed'));
    const boot = await bootstrap({ eventStore: store, pool: seedPool, adminEmail: 'diag@leadline.local', adminPassword: 'diag-admin-password', log: logger });
    const pipe = await store.readStream(`pipeline-${boot.defaultPipelineId}`);
    const stages: PlanStage[] = pipe
      .filter((e) => e.type === 'StageAdded')
      .map((e) => e.data as { stageId: string; name: string; isWon: boolean; isLost: boolean; orderPosition: number })
      .sort((a, b) => a.orderPosition - b.orderPosition)
      .map((d) => ({ id: d.stageId, name: d.name, isWon: d.isWon, isLost: d.isLost }));
    const plan = planDataset({ leads, seed: 2026, stages, ownerIds: [boot.admin.userId], start: Date.UTC(2025, 0, 1), end: Date.UTC(2026, 0, 1) });
    await bulkAppend(seedPool, store.keyring, plan, { pipelineId: boot.defaultPipelineId, stages, actorId: boot.admin.userId }, { batchSize: 5000 });
    const total = Number((await seedPool.query('SELECT count(*) AS n FROM es.events')).rows[0].n);
    const byType = (await seedPool.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM es.events GROUP BY type ORDER BY 2 DESC')).rows;
    console.log(`${leads} leads, ${total} events: ${byType.map((r) => `${r.type} ${r.n}`).join(', ')}`);
    await seedPool.query('VACUUM ANALYZE');
    await seedPool.end();
    let clone = 0;
    const fresh = async () => {
      const name = `run${clone++}`;
      await admin.query(`CREATE DATABASE ${name} TEMPLATE seed`);
      const pool = createPool(urlOf(name), { max: projectorConnections(projections.length) + 2, applicationName: 'diag' });
      return { pool, store: await open(pool, urlOf(name)) };
    };
    const catchUp = async (selected: readonly Projection[]) => {
      const { pool, store } = await fresh();
      const head = await store.headCheckpoint();
      counts.clear();
      times.clear();
      const t0 = performance.now();
      const projector = await startProjector({ pool, eventStore: store, logger, projections: selected, routing: false });
      for (;;) {
        const { rows } = await pool.query<{ behind: number; n: number }>(`SELECT count(*) FILTER (WHERE checkpoint < $1)::int AS behind, count(*)::int AS n FROM projector.projections`, [head]);
        if (rows[0].behind === 0 && rows[0].n >= selected.length) break;
        await sleep(20);
      }
      const ms = performance.now() - t0;
      await projector.stop();
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).filter(([k]) => !k.includes('count(*) FILTER')).slice(0, 8);
      return { pool, store, ms, top };
    };
    const handledCount = async (pool: pg.Pool, p: Projection) =>
      Number((await pool.query('SELECT count(*) AS n FROM es.events WHERE type = ANY($1)', [p.eventTypes])).rows[0].n);

    if (!args.includes('--skip-alone')) {
      for (const p of projections.filter((x) => !only || only.includes(x.name))) {
        const { pool, ms, top } = await catchUp([p]);
        const handled = await handledCount(pool, p);
        const statements = top.reduce((s, [, n]) => s + n, 0);
        console.log(`\n${p.name}: ${(ms / 1000).toFixed(1)} s, ${Math.round((total / ms) * 1000)} log events/s, ${handled} handled events, ~${(statements / Math.max(1, handled)).toFixed(2)} statements/handled event`);
        for (const [k, n] of top) console.log(`  ${String(n).padStart(7)}  ${String(Math.round(times.get(k) ?? 0)).padStart(6)} ms  ${k}`);
        await pool.end();
      }
    }
    const all = await catchUp(projections);
    console.log(`\nall ${projections.length} side by side: ${(all.ms / 1000).toFixed(1)} s, ${Math.round((total / all.ms) * 1000)} events/s`);
    if (args.includes('--explain')) await explain(all.pool);
    const t1 = performance.now();
    for (const p of projections) await rebuild({ pool: all.pool, eventStore: all.store, logger, projections }, p.name);
    console.log(`full rebuild one after another: ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    if (args.includes('--verify')) {
      const differences = await verify({ pool: all.pool, eventStore: all.store, logger, projections });
      console.log(`verify: ${differences.length} differences${differences.length ? ` (${differences.map((d) => `${d.projection}.${d.table}`).join(', ')})` : ''}`);
    }
    await all.pool.end();
  } finally {
    await admin.end();
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** EXPLAIN ANALYZE of the hot statements per event, on the caught-up tables, rolled back. */
async function explain(pool: pg.Pool) {
  const c = await pool.connect();
  try {
    const lead = (await c.query(`SELECT id, stage_id FROM read.leads ORDER BY id LIMIT 1`)).rows[0];
    const stage = (await c.query(`SELECT stage_id FROM read.lead_cards_stages WHERE stage_id <> $1 LIMIT 1`, [lead.stage_id])).rows[0].stage_id;
    const at = '2026-01-02T00:00:00.000Z';
    const g = async (name: string) => (await c.query(`SELECT generation FROM projector.projections WHERE name = $1`, [name])).rows[0].generation;
    const t = (name: string, gen: number) => `read."${name}__g${gen}"`;
    const lc = await g('lead_cards');
    const ph = await g('pipeline_history');
    const st = await g('stage_totals');
    const statements: [string, string, unknown[]][] = [
      ['lead_cards move', `UPDATE ${t('leads', lc)} SET stage_entered_at = CASE WHEN stage_id = $2 THEN stage_entered_at ELSE $7::timestamptz END, lost_reason = $5::text, won_at = CASE WHEN NOT (COALESCE((SELECT is_won FROM ${t('lead_cards_stages', lc)} WHERE stage_id = $2), false) OR $6::boolean) THEN NULL ELSE $7::timestamptz END, stage_id = $2, pipeline_id = $3, rank = $4, version = $8, updated_at = $7::timestamptz WHERE id = $1`, [lead.id, stage, '00000000-0000-4000-8000-000000000000', 'x', null, false, at, 99]],
      ['pipeline_history new version', `WITH old AS (UPDATE ${t('lead_versions', ph)} SET valid_to = $3::timestamptz WHERE lead_id = $1 AND valid_to IS NULL RETURNING *) INSERT INTO ${t('lead_versions', ph)} (lead_id, version, valid_from, pipeline_id, stage_id, rank, first_name, last_name, company, deal_value, probability, owner_id, stage_entered_at, touched_at) SELECT lead_id, $2, $3::timestamptz, pipeline_id, stage_id, rank, first_name, last_name, company, deal_value, probability, owner_id, stage_entered_at, $3::timestamptz FROM old`, [lead.id, 99, at]],
      ['pipeline_history stays', `WITH closed AS (UPDATE ${t('stage_stays', ph)} SET left_at = $6::timestamptz WHERE lead_id = $1 AND left_at IS NULL) INSERT INTO ${t('stage_stays', ph)} (lead_id, version, pipeline_id, stage_id, from_stage_id, owner_id, entered_at) SELECT $1, $2, $3, $4, $5, v.owner_id, $6::timestamptz FROM ${t('lead_versions', ph)} v WHERE v.lead_id = $1 AND v.valid_to IS NULL`, [lead.id, 99, '00000000-0000-4000-8000-000000000000', stage, lead.stage_id, at]],
      ['stage_totals lead change', `WITH old AS (SELECT * FROM ${t('stage_totals_leads', st)} WHERE lead_id = $1), new AS (UPDATE ${t('stage_totals_leads', st)} SET stage_id = $2 WHERE lead_id = $1 RETURNING *) SELECT old.stage_id FROM old UNION ALL SELECT new.stage_id FROM new`, [lead.id, stage]],
    ];
    for (const [name, sql, params] of statements) {
      await c.query('BEGIN');
      const plan = (await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']);
      await c.query('ROLLBACK');
      console.log(`\nEXPLAIN ANALYZE ${name}:\n  ${plan.join('\n  ')}`);
    }
  } finally {
    c.release();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
