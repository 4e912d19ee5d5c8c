import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@leadline/platform';

/** One real PostgreSQL per test run; each test file creates its own database in it. */
export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-test-'));
  const db = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
  project.provide('pgAdminUrl', db.url);
  return async () => {
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
