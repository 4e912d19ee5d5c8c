import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, startEmbeddedRedis } from '@leadline/platform';

/**
 * One real PostgreSQL per test run (each test file creates its own database in it) and one real
 * Redis, whose URL the specs read from REDIS_URL (set here, before the workers are forked) or
 * inject('redisUrl'). A missing redis-server fails the run with the line saying how to install it.
 */
export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-test-'));
  const db = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
  let redis;
  try {
    redis = await startEmbeddedRedis({ dataDir });
  } catch (err) {
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`The tests need a real Redis. ${err instanceof Error ? err.message : String(err)}`);
  }
  project.provide('pgAdminUrl', db.url);
  project.provide('redisUrl', redis.url);
  process.env.REDIS_URL = redis.url;
  return async () => {
    await redis.stop();
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    redisUrl: string;
  }
}
