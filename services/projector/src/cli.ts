import { eventStoreChoice, eventStoreEnv, masterKeysForCli, openEventStore, requireEventStoreUrl } from '@leadline/eventstore';
import { CliError, connectCliDatabase, createLogger, createPool, parseConfig } from '@leadline/platform';
import { z } from 'zod';
import { rebuildMany, type RebuildProgress } from './engine/rebuild.ts';
import { verify, type VerifyDifference } from './engine/verify.ts';
import { PROJECTION_NAMES } from './projections/index.ts';

const USAGE = `usage:
  npm run projections:rebuild -- <projection>... build the next generation of each from the log (one pass for all) and swap it in
  npm run projections:rebuild -- --all          the same for every projection
  npm run projections:verify                    compare every live table with a rebuild up to its checkpoint

projections: ${PROJECTION_NAMES.join(', ')}
database: DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (default ./.data) when it is not running`;

const json = (row: unknown) => JSON.stringify(row);

function printDifference(d: VerifyDifference): void {
  console.log(`\n${d.projection} / read.${d.table}:`);
  if (d.missing.length) {
    console.log(`  ${d.missing.length} row(s) a rebuild produces that the live table lacks (at most 20 shown):`);
    for (const row of d.missing) console.log(`    - ${json(row)}`);
  }
  if (d.extra.length) {
    console.log(`  ${d.extra.length} row(s) in the live table that a rebuild does not produce (at most 20 shown):`);
    for (const row of d.extra) console.log(`    + ${json(row)}`);
  }
}

/** One line for every projection still building: the slowest one's done / total, rate and ETA. */
function progressLine(all: RebuildProgress[], started: number): string {
  const slowest = all.reduce((a, b) => (b.processed < a.processed ? b : a));
  const elapsed = (Date.now() - started) / 1000;
  const rate = elapsed > 0 ? slowest.processed / elapsed : 0;
  const total = slowest.total;
  const pct = total ? ` (${Math.min(100, (100 * slowest.processed) / total).toFixed(0)} %)` : '';
  const eta = total && rate > 0 ? `, ETA ${Math.max(0, (total - slowest.processed) / rate).toFixed(0)} s` : '';
  const by = all.some((p) => p.builtBy === 'active projector') ? ' [built by the running projector]' : '';
  return `rebuilding ${all.length} projection(s): ${slowest.processed.toLocaleString('en-US')}${total ? ` / ${total.toLocaleString('en-US')}` : ''} events${pct}, ${Math.round(rate).toLocaleString('en-US')} events/s${eta} (slowest: ${slowest.projection})${by}`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'rebuild' && command !== 'verify') {
    console.error(USAGE);
    return 2;
  }
  const names = rest.includes('--all') ? [...PROJECTION_NAMES] : rest;
  if (command === 'rebuild' && names.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const { url, embedded } = await connectCliDatabase(`projections:${command}`);
  const pool = createPool(url, { max: 5, applicationName: `leadline-projector-${command}` });
  const logger = createLogger('projector-cli', process.env.LOG_LEVEL ?? 'warn');
  try {
    // EVENT_STORE/EVENTSTORE_URL as the services take them: rebuild from EventStoreDB when that is the store.
    const choice = eventStoreChoice(parseConfig(z.object(eventStoreEnv).superRefine(requireEventStoreUrl)));
    const eventStore = await openEventStore(choice, { pool, databaseUrl: url, log: logger, masterKeys: masterKeysForCli() });
    const deps = { pool, eventStore, logger };
    if (command === 'rebuild') {
      const started = Date.now();
      let last = 0;
      const results = await rebuildMany(deps, names, {
        onProgress: (all) => {
          if (Date.now() - last < 1000) return;
          last = Date.now();
          console.log(progressLine(all, started));
        },
      });
      for (const r of results) console.log(`${r.projection}: generation ${r.generation} is live at checkpoint ${r.checkpoint || '(start)'}`);
      console.log(`rebuilt ${results.length} projection(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    let tables = 0;
    const differences = await verify(deps, {
      onProgress: (p) => {
        if (p.phase === 'building') console.log(`${p.projection}: ${p.processed} events replayed`);
        else if (p.phase === 'compared') {
          tables += p.tables;
          console.log(`${p.projection}: compared ${p.tables} table(s), ${p.differences} with differences`);
        } else console.log(`${p.projection}: skipped (${p.reason})`);
      },
    });
    for (const d of differences) printDifference(d);
    console.log(`\n${differences.length} difference${differences.length === 1 ? '' : 's'} in ${tables} tables`);
    return differences.length > 0 ? 1 : 0;
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof CliError ? err.message : (err as Error)?.message ?? err);
    process.exit(1);
  },
);
