/**
 * Full rebuild of every projection on a large, already loaded log: the issue-7 figure "full rebuild
 * time of 1M events". It reuses a database left by `bench/pipeline.ts --data=DIR` (1,102,457 events
 * with `--leads=100000 --moves=1000000`), rebuilds each projection from the start of the log, one
 * after another (as `npm run projections:rebuild` does), with progress, and prints seconds and
 * events of the log per second for each and in all.
 *
 *   npx tsx bench/rebuild.ts --data=DIR [--only=name,name]
 */
import fs from 'node:fs';
import path from 'node:path';
import { PostgresEventStore } from '@leadline/eventstore';
import { createLogger, createPool, startEmbeddedPostgres } from '@leadline/platform';
import { PROJECTION_NAMES, projectorConnections, rebuild } from '@leadline/projector';
import { table, type Figure } from './src/stats.ts';

const args = process.argv.slice(2);
const DATA = args.find((a) => a.startsWith('--data='))?.split('=')[1];
const ONLY = args.find((a) => a.startsWith('--only='))?.split('=')[1]?.split(',');
if (!DATA || !fs.existsSync(path.join(DATA, 'pg-home'))) {
  console.error('usage: npx tsx bench/rebuild.ts --data=DIR (a directory loaded by bench/pipeline.ts --data=DIR)');
  process.exit(2);
}
const log = (s: string) => console.log(`[bench:rebuild] ${s}`);

const db = await startEmbeddedPostgres({ dataDir: path.join(path.resolve(DATA), 'pg-home'), database: 'postgres' });
const pool = createPool(db.url, { max: projectorConnections(1, false) + 2, applicationName: 'bench-rebuild' });
const figures: Figure[] = [];
try {
  const eventStore = await PostgresEventStore.create(pool, db.url);
  const logger = createLogger('bench', 'silent');
  const events = Number((await pool.query('SELECT count(*) AS n FROM es.events')).rows[0].n);
  const names = PROJECTION_NAMES.filter((n) => !ONLY || ONLY.includes(n));
  log(`${events.toLocaleString('en-US')} events in the log; rebuilding ${names.join(', ')}`);
  const started = performance.now();
  for (const name of names) {
    const t0 = performance.now();
    let lastLog = 0;
    await rebuild({ pool, eventStore, logger }, name, {
      onProgress: (p) => {
        if (performance.now() - lastLog < 30_000) return;
        lastLog = performance.now();
        log(`  ${name}: ${JSON.stringify(p)}`);
      },
    });
    const s = (performance.now() - t0) / 1000;
    log(`${name}: ${s.toFixed(0)} s`);
    figures.push({ name: `rebuild ${name}`, workload: `${events.toLocaleString('en-US')} events in the log`, samples: events, value: events / s, unit: `events/s (${s.toFixed(0)} s)` });
  }
  const total = (performance.now() - started) / 1000;
  figures.push({ name: `full rebuild, ${names.length} projections one after another`, workload: `${events.toLocaleString('en-US')} events`, samples: events, value: total, unit: 's' });
  console.log(`\n${table(figures)}`);
} finally {
  await pool.end();
  await db.stop();
}
