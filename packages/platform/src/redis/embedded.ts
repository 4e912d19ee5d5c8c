import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../net.ts';
import { readOrCreateSecret } from '../secret-file.ts';
import { findRedisServer, redisServerVersion, type RedisFinder } from './binary.ts';
import { sendRedisCommands } from './resp.ts';
import { clearStaleRedis } from './stale.ts';

export type EmbeddedRedis = {
  /** `redis://:password@127.0.0.1:port`: give it to ioredis/BullMQ as REDIS_URL. */
  url: string;
  port: number;
  /** DATA_DIR/redis: the append-only files, the log and the pid file. */
  dataDir: string;
  pid: number;
  version: string;
  binary: string;
  stop: () => Promise<void>;
};

/** Beside `pg-password` in DATA_DIR; 0600. */
export const REDIS_PASSWORD_FILE = 'redis-password';
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;

const logTail = (file: string, lines = 8): string => {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
};

/**
 * Until PING answers PONG. A server replaying a long AOF answers LOADING, which is waited out;
 * a server that exits (bad flag, port taken, AOF it cannot read) fails at once.
 */
async function waitUntilReady(child: ChildProcess, port: number, password: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    try {
      const replies = await sendRedisCommands(port, [['AUTH', password], ['PING']], { timeoutMs: 1000 });
      const pong = replies[1];
      if (pong?.ok && pong.value === 'PONG') return;
      last = replies.map((r) => (r.ok ? r.value : r.error)).join(', ');
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`did not answer PING within ${READY_TIMEOUT_MS / 1000} s (${last})`);
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

async function shutdown(child: ChildProcess, port: number, password: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  // SHUTDOWN fsyncs the AOF and exits; it answers nothing, the connection just closes.
  await sendRedisCommands(port, [['AUTH', password], ['SHUTDOWN']], { timeoutMs: 5000 }).catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 10_000)));
  const outcome = await Promise.race([gone, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    child.kill('SIGKILL');
    await gone;
  }
}

/**
 * Starts a real redis-server (found on PATH or in the usual install directories) as a child on a
 * free loopback port, with its data under dataDir/redis: AOF on, no RDB snapshots, a truncated AOF
 * tail (a crash mid-write) loaded up to the last whole command. A server left running by a killed
 * parent is stopped first. Password-protected like the embedded PostgreSQL: loopback is shared by
 * every local user.
 */
export async function startEmbeddedRedis(options: { dataDir: string; port?: number; binary?: string; finder?: RedisFinder }): Promise<EmbeddedRedis> {
  const binary = options.binary ?? findRedisServer(options.finder);
  const version = redisServerVersion(binary);
  const dataDir = path.resolve(options.dataDir);
  const dir = path.join(dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const pidFile = path.join(dir, 'redis.pid');
  const logFile = path.join(dir, 'redis.log');
  await clearStaleRedis(dir, pidFile);
  const password = readOrCreateSecret(path.join(dataDir, REDIS_PASSWORD_FILE));
  // In a 0600 file rather than on the command line, where `ps` would show it until redis renames itself.
  const confFile = path.join(dir, 'leadline.conf');
  fs.writeFileSync(confFile, `requirepass "${password}"\n`, { mode: 0o600 });
  fs.chmodSync(confFile, 0o600);

  // A port found free can be taken before redis binds it; without a fixed port, try another.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const log = fs.openSync(logFile, 'a');
    const child = spawn(
      binary,
      [
        confFile,
        '--port', String(port),
        '--bind', HOST,
        '--dir', dir,
        '--appendonly', 'yes',
        '--save', '',
        '--aof-load-truncated', 'yes',
        '--maxmemory-policy', 'noeviction',
        '--pidfile', pidFile,
        '--daemonize', 'no',
      ],
      // In the parent's process group on purpose: a terminal's Ctrl-C reaches redis too, which shuts
      // down cleanly on SIGINT even when the parent does not get to (tsx SIGKILLs a child that is slow
      // to acknowledge the signal).
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    child.unref();
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    try {
      await spawned;
      await waitUntilReady(child, port, password);
    } catch (err) {
      child.kill('SIGKILL');
      await exited(child);
      const tail = logTail(logFile);
      if (options.port === undefined && attempt < 3 && /Address already in use/.test(tail.split('\n').slice(-3).join('\n'))) continue;
      throw new Error(`embedded Redis (${binary}, data ${dir}) failed to start on port ${port}: ${(err as Error).message}\n${tail}\nLog: ${logFile}`);
    }
    // If the process exits without stop() (an uncaught error), SIGTERM is redis's clean shutdown;
    // a SIGKILL of this process is handled by clearStaleRedis on the next start.
    const onExit = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    process.once('exit', onExit);
    return {
      url: `redis://:${encodeURIComponent(password)}@${HOST}:${port}`,
      port,
      dataDir: dir,
      pid: child.pid!,
      version,
      binary,
      stop: async () => {
        process.removeListener('exit', onExit);
        await shutdown(child, port, password);
      },
    };
  }
}
