/**
 * Full rebuild of every projection on a large, already loaded log: the "full rebuild of 1M events"
 * figure. It reuses a database left by `bench/pipeline.ts --data=DIR` (1,102,457 events with
 * `--leads=100000 --moves=1000000`) and rebuilds every projection in one pass over the log (as
 * `npm run projections:rebuild -- --all` does), printing progress every 10 s and, for each
 * projection, the moment its new generation went live.
 *
 *   npx tsx bench/rebuild.ts --data=DIR [--only=name,name]
 */
import fs from 'node:fs';
import path from 'node:path';
import { PostgresEventStore } from '@leadline/eventstore';
import { createLogger, createPool, startEmbeddedPostgres } from '@leadline/platform';
import { PROJECTION_NAMES, projectorConnections, rebuildMany } from '@leadline/projector';
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
const names = PROJECTION_NAMES.filter((n) => !ONLY || ONLY.includes(n));
const pool = createPool(db.url, { max: projectorConnections(names.length, false) + 2, applicationName: 'bench-rebuild' });
const figures: Figure[] = [];
try {
  const eventStore = await PostgresEventStore.create(pool, db.url);
  const logger = createLogger('bench', 'silent');
  const events = Number((await pool.query('SELECT count(*) AS n FROM es.events')).rows[0].n);
  log(`${events.toLocaleString('en-US')} events in the log; rebuilding ${names.join(', ')} in one pass`);
  const started = performance.now();
  const live = new Map<string, number>();
  let lastLog = 0;
  await rebuildMany({ pool, eventStore, logger }, names, {
    pollMs: 100,
    onProgress: (all) => {
      const building = new Set(all.map((p) => p.projection));
      for (const name of names) if (!building.has(name) && !live.has(name)) live.set(name, performance.now() - started);
      if (performance.now() - lastLog < 10_000) return;
      lastLog = performance.now();
      const slowest = all.reduce((a, b) => (b.processed < a.processed ? b : a));
      log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: slowest ${slowest.projection} at ${slowest.processed.toLocaleString('en-US')} / ${slowest.total?.toLocaleString('en-US') ?? '?'}`);
    },
  });
  const total = (performance.now() - started) / 1000;
  for (const name of names) {
    const s = (live.get(name) ?? total * 1000) / 1000;
    figures.push({ name: `rebuild ${name} (live after)`, workload: `${events.toLocaleString('en-US')} events in the log`, samples: events, value: s, unit: 's' });
  }
  figures.push({ name: `full rebuild, ${names.length} projections in one pass`, workload: `${events.toLocaleString('en-US')} events`, samples: events, value: total, unit: `s (${Math.round(events / total).toLocaleString('en-US')} events/s)` });
  console.log(`\n${table(figures)}`);
} finally {
  await pool.end();
  await db.stop();
}
