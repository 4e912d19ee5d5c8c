import fs from 'node:fs';
import path from 'node:path';
import { databaseUrl } from './config.ts';
import { PG_PASSWORD_FILE, startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.ts';

/** A failure a command-line tool reports as its message alone (no stack). */
export class CliError extends Error {}

/** A postmaster already running on the data dir (npm start): its port, so that we can say how to reach it. */
function runningPostmasterPort(pgDir: string): number | null {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !fs.existsSync(`/proc/${pid}`)) return null;
  return Number(lines[3]) || null;
}

/**
 * The database of a command-line tool: DATABASE_URL, else the embedded PostgreSQL under DATA_DIR
 * (default ./.data), started for the run. `npmScript` names the tool in the hint given when
 * `npm start` already runs on that directory.
 */
export async function connectCliDatabase(npmScript: string): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    const parsed = databaseUrl.safeParse(fromEnv);
    if (!parsed.success) throw new CliError(`DATABASE_URL must be a postgres:// URL`);
    return { url: parsed.data, embedded: null };
  }
  const dataDir = path.resolve(process.env.DATA_DIR ?? './.data');
  const pgDir = path.join(dataDir, 'pg');
  if (!fs.existsSync(pgDir)) throw new CliError(`DATABASE_URL is not set and there is no embedded database at ${pgDir} (run npm start once, or set DATA_DIR)`);
  const port = runningPostmasterPort(pgDir);
  if (port !== null) {
    const passwordFile = path.join(dataDir, PG_PASSWORD_FILE);
    throw new CliError(
      `The embedded PostgreSQL at ${pgDir} is already running (npm start?) on port ${port}.\n` +
        `Run against it with DATABASE_URL, e.g.\n  DATABASE_URL=postgres://postgres:$(cat ${passwordFile})@127.0.0.1:${port}/leadline npm run ${npmScript}`,
    );
  }
  try {
    const embedded = await startEmbeddedPostgres({ dataDir });
    return { url: embedded.url, embedded };
  } catch (err) {
    throw new CliError(`Could not start the embedded PostgreSQL at ${pgDir}: ${(err as Error)?.message ?? err}. If another process uses it, set DATABASE_URL.`);
  }
}
