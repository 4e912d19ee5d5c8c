/**
 * Projector diagnosis: per-projection catch-up alone (events/s, SQL statements per handled event,
 * the statements by kind), all projections side by side, and a full rebuild, each on a fresh clone
 * of one bulk-loaded database. `npx tsx bench/projector-diagnose.ts --leads=10000 [--only=a,b] [--skip-alone]`
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bootstrap } from '@leadline/command';
import { bulkAppend, planDataset, type PlanStage } from '@leadline/datagen';
import { PostgresEventStore } from '@leadline/eventstore';
import { createLogger, createPool, startEmbeddedPostgres } from '@leadline/platform';
import { projections, rebuild, startProjector, type Projection } from '@leadline/projector';

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const leads = Number(opt('leads') ?? 3000);
const only = opt('only')?.split(',');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Counts every statement sent by this process, by its first words.
const counts = new Map<string, number>();
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
  const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string })?.text ?? '';
  const key = text.replace(/\s+/g, ' ').replace(/read\.\w+__g\d+/g, (m) => m.replace(/__g\d+/, '')).slice(0, 70);
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return (originalQuery as (...x: unknown[]) => unknown).apply(this, a);
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
    const store = await PostgresEventStore.create(seedPool, urlOf('seed'));
    const boot = await bootstrap({ eventStore: store, adminEmail: 'diag@leadline.local', adminPassword: 'diag-admin-password', log: logger });
    const pipe = await store.readStream(`pipeline-${boot.defaultPipelineId}`);
    const stages: PlanStage[] = pipe
      .filter((e) => e.type === 'StageAdded')
      .map((e) => e.data as { stageId: string; name: string; isWon: boolean; isLost: boolean; orderPosition: number })
      .sort((a, b) => a.orderPosition - b.orderPosition)
      .map((d) => ({ id: d.stageId, name: d.name, isWon: d.isWon, isLost: d.isLost }));
    const plan = planDataset({ leads, seed: 2026, stages, ownerIds: [boot.admin.userId], start: Date.UTC(2025, 0, 1), end: Date.UTC(2026, 0, 1) });
    await bulkAppend(seedPool, plan, { pipelineId: boot.defaultPipelineId, stages, actorId: boot.admin.userId }, { batchSize: 5000 });
    const total = Number((await seedPool.query('SELECT count(*) AS n FROM es.events')).rows[0].n);
    const byType = (await seedPool.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM es.events GROUP BY type ORDER BY 2 DESC')).rows;
    console.log(`${leads} leads, ${total} events: ${byType.map((r) => `${r.type} ${r.n}`).join(', ')}`);
    await seedPool.query('VACUUM ANALYZE');
    await seedPool.end();
    let clone = 0;
    const fresh = async () => {
      const name = `run${clone++}`;
      await admin.query(`CREATE DATABASE ${name} TEMPLATE seed`);
      const pool = createPool(urlOf(name), { max: 12, applicationName: 'diag' });
      return { pool, store: await PostgresEventStore.create(pool, urlOf(name)) };
    };
    const catchUp = async (selected: readonly Projection[]) => {
      const { pool, store } = await fresh();
      const head = await store.headCheckpoint();
      counts.clear();
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
        for (const [k, n] of top) console.log(`  ${String(n).padStart(7)}  ${k}`);
        await pool.end();
      }
    }
    const all = await catchUp(projections);
    console.log(`\nall ${projections.length} side by side: ${(all.ms / 1000).toFixed(1)} s, ${Math.round((total / all.ms) * 1000)} events/s`);
    const t1 = performance.now();
    for (const p of projections) await rebuild({ pool: all.pool, eventStore: all.store, logger, projections }, p.name);
    console.log(`full rebuild one after another: ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    await all.pool.end();
  } finally {
    await admin.end();
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
