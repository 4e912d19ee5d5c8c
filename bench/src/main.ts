import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@leadline/platform';
import { repoRoot } from '../../scripts/stack.ts';
import { productFigures } from './product-figures.ts';
import { table, type Figure } from './stats.ts';
import { appendFigures, projectionPeerFigures } from './store-figures.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const leads = Number(opt('leads') ?? (quick ? 2000 : 100_000));
const runName = opt('name') ?? (quick ? 'quick' : `full-${leads}`);
const sizes = quick
  ? { append: { single: 300, many: 1000, concurrency: 16, batch: 500, batches: 6 }, peerLeads: 1500, product: { leads, commands: 150, concurrency: 8, boardRequests: 30, timelineEntries: 1000, liveSeconds: 3, liveRate: 200 } }
  : { append: { single: 3000, many: 10_000, concurrency: 16, batch: 500, batches: 60 }, peerLeads: 5000, product: { leads, commands: 2000, concurrency: 16, boardRequests: 200, timelineEntries: 10_000, liveSeconds: 15, liveRate: 200 } };

const log = (s: string) => console.log(`[bench] ${s}`);

// emmett (its dumbo layer) replaces pg's global type parsers on first use: int8 becomes BigInt and
// json its own parser. The product never runs beside it, so its figures run with pg's own parsers.
const PARSED_BY_PEER = [20, 114, 3802];
const pgParsers = new Map(PARSED_BY_PEER.map((oid) => [oid, pg.types.getTypeParser(oid, 'text')] as const));
const restorePgParsers = () => {
  for (const [oid, parser] of pgParsers) pg.types.setTypeParser(oid, parser);
};

async function main() {
  const started = new Date();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-bench-'));
  fs.chmodSync(dataDir, 0o755);
  log(`embedded PostgreSQL under ${dataDir} (${quick ? 'quick smoke' : 'full run'}, ${leads} leads)`);
  const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg-home'), database: 'postgres' });
  const urlFor = async (name: string) => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    return db.url.replace(/\/[^/]*$/, `/${name}`);
  };
  const figures: Figure[] = [];
  try {
    log('append: Leadline, emmett-postgresql, floor ...');
    figures.push(...(await appendFigures(urlFor, sizes.append)));
    log('projection: the same projection through Leadline and emmett ...');
    const stages = ['New', 'Qualified', 'Contacted', 'Proposal', 'Won', 'Lost'].map((name, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, name, isWon: name === 'Won', isLost: name === 'Lost' }));
    figures.push(...(await projectionPeerFigures(urlFor, sizes.peerLeads, stages)));
    restorePgParsers();
    figures.push(...(await productFigures(await urlFor('bench_product'), path.join(dataDir, 'stack'), sizes.product, log)));
  } finally {
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started.getTime()) / 1000;
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 1e9), node: process.version, platform: `${os.platform()} ${os.release()}` };
  console.log(`\nLeadline benchmark "${runName}" · ${started.toISOString()} · ${seconds.toFixed(0)} s · ${machine.cpus} CPU ${machine.cpuModel} · Node ${machine.node}\n`);
  console.log(table(figures));
  const outDir = path.join(repoRoot, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${started.toISOString().slice(0, 10)}-${runName}.json`);
  fs.writeFileSync(file, JSON.stringify({ name: runName, quick, startedAt: started.toISOString(), seconds, machine, command: `npm run bench -- ${args.join(' ')}`.trim(), figures }, null, 2) + '\n');
  console.log(`\nwritten ${path.relative(repoRoot, file)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
