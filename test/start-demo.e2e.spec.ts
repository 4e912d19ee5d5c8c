import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { repoRoot } from '../scripts/stack.ts';

const ADMIN = { email: 'admin@start-demo.local', password: 'start-demo-password-1' };
const DAY = 86_400_000;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * `npm start -- --demo` as a person runs it, with LOG_FORMAT=pretty as at a terminal: readable lines
 * (no JSON), the logins printed, a history that starts with its pipeline 90 days back, the seeding
 * reported in /api/health, and a Ctrl-C that says "Stopped." and nothing else.
 */
describe('npm start --demo', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let output = '';
  let base = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-start-demo-'));
    child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/start.ts'), '--demo', '--demo-leads=40'], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_FORMAT: 'pretty', LOG_LEVEL: 'info', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    exited = new Promise((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 80_000;
    while (!/Demo users|demo seeding stopped/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start --demo did not finish seeding:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 90_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await db?.drop();
  });

  it('prints readable lines with the URL and every demo login, auditor and analyst included, and no JSON', () => {
    expect(output).toContain(`Leadline is running at ${base}`);
    expect(output).toContain(`Admin login: ${ADMIN.email}`);
    for (const login of ['manager  maria.manager@demo.leadline', 'auditor  anna.auditor@demo.leadline', 'analyst  leo.analyst@demo.leadline']) expect(output).toContain(login);
    const lines = output.split('\n').filter((l) => l.trim());
    expect(lines.filter((l) => l.trim().startsWith('{'))).toEqual([]);
    // Requests are logged at debug under npm start: none reaches an info console.
    expect(output).not.toMatch(/request completed|incoming request/);
  });

  it('reports the seeding in /api/health, and the board as of the first day of the demo already has its stages, and leads two months back', async () => {
    const health = (await (await fetch(`${base}/api/health`)).json()) as { status: string; background: { name: string; state: string; progress: { done: number; total: number } }[] };
    expect(health.status).toBe('ok');
    expect(health.background).toEqual([expect.objectContaining({ name: 'demo-seed', state: 'done' })]);
    expect(health.background[0].progress.done).toBe(health.background[0].progress.total);

    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const boardAsOf = async (daysAgo: number) => {
      const res = await fetch(`${base}/api/pipeline/board?asOf=${encodeURIComponent(new Date(Date.now() - daysAgo * DAY).toISOString())}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as { columns: { name: string; count: number }[] };
    };
    // The pipeline is as old as the demo's history (89 days: its first day), not as old as the seeding.
    expect((await boardAsOf(89)).columns.map((c) => c.name)).toEqual(['New', 'Qualified', 'Contacted', 'Proposal', 'Won', 'Lost']);
    // 40 leads over 90 days: two months back a good part of them exist already.
    expect((await boardAsOf(60)).columns.reduce((n, c) => n + c.count, 0)).toBeGreaterThan(0);
  });

  it('stops on SIGINT with one line, "Stopped.", and exit code 0', async () => {
    const before = output.length;
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output.slice(before).trim()).toBe('Stopped.');
  });
});
