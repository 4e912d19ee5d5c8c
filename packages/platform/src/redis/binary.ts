import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.ts';

/** Where package managers put redis-server when PATH does not say (a service's minimal PATH, Homebrew on Apple silicon). */
export const REDIS_SEARCH_DIRS: readonly string[] = ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'];

/** BullMQ refuses older servers. */
export const MIN_REDIS_VERSION = '5.0.0';

const INSTALL = 'install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a Redis you run';

export class RedisNotFoundError extends ConfigError {
  readonly name = 'RedisNotFoundError';
  constructor(searched: readonly string[]) {
    super(`redis-server not found (looked in ${searched.length ? searched.join(', ') : 'nowhere: empty PATH'}): ${INSTALL}.`);
  }
}

export class RedisVersionError extends ConfigError {
  readonly name = 'RedisVersionError';
  constructor(binary: string, version: string) {
    super(`${binary} is Redis ${version}; Leadline needs ${MIN_REDIS_VERSION} or newer: ${INSTALL}.`);
  }
}

export type RedisFinder = {
  /** A PATH-style list; default process.env.PATH. */
  path?: string;
  /** Searched after PATH; default REDIS_SEARCH_DIRS. */
  dirs?: readonly string[];
};

const isExecutable = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The first executable `redis-server` on PATH, then in the usual install directories. */
export function findRedisServer(finder: RedisFinder = {}): string {
  const fromPath = (finder.path ?? process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const dirs = [...new Set([...fromPath, ...(finder.dirs ?? REDIS_SEARCH_DIRS)])];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'redis-server');
    if (isExecutable(candidate)) return candidate;
  }
  throw new RedisNotFoundError(finder.path === undefined ? ['PATH', ...(finder.dirs ?? REDIS_SEARCH_DIRS)] : dirs);
}

const compareVersions = (a: string, b: string): number => {
  const [pa, pb] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

/** `Redis server v=7.0.15 sha=…` → `7.0.15`; refuses a server BullMQ would refuse. */
export function redisServerVersion(binary: string): string {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const version = /v=(\d+\.\d+\.\d+)/.exec(out)?.[1];
  if (!version) throw new Error(`${binary} --version printed no version: ${out.trim()}`);
  if (compareVersions(version, MIN_REDIS_VERSION) < 0) throw new RedisVersionError(binary, version);
  return version;
}
