import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveAccount, SessionStore } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { repoRoot } from '../scripts/stack.ts';

const SECRET = 'eventstore-unavailable-test-secret-0123456789';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * The command service, run as `npm start` of its workspace runs it, with EVENT_STORE=eventstoredb
 * pointing at a closed local port: it starts, says which store it chose, and answers every request
 * that needs the store with 503 + Retry-After (never 500) until the store is back.
 */
describe('command service with EventStoreDB unreachable', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let base: string;
  let output = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    const esdbPort = await freePort(); // nothing listens there
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'services/command/src/server.ts')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        SESSION_SECRET: SECRET,
        MASTER_KEY: crypto.randomBytes(32).toString('base64'),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        EVENT_STORE: 'eventstoredb',
        EVENTSTORE_URL: `esdb://127.0.0.1:${esdbPort}?tls=false`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${base}/api/alive`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`command service did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 40_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
  });

  const expectUnavailable = async (res: Response) => {
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 503, type: 'https://leadline.dev/problems/unavailable' });
    expect(JSON.stringify(body)).not.toMatch(/UNAVAILABLE|ECONNREFUSED|grpc|127\.0\.0\.1/);
  };

  it('logs the store it chose at start, and that it is waiting for it', async () => {
    const deadline = Date.now() + 10_000;
    while (!/event store unavailable at start/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(output).toMatch(/"eventStore":"eventstoredb".*"msg":"event store: EventStoreDB"/);
    expect(output).toMatch(/event store unavailable at start; retrying/);
  });

  it('answers a sign-in with 503 and Retry-After', async () => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@leadline.local', password: 'whatever-password' }) });
    await expectUnavailable(res);
  });

  it('answers a command with 503 and Retry-After, and bad input still with 400', async () => {
    // Sessions live in PostgreSQL, which is up: an admin signed in before the event store went away.
    const userId = crypto.randomUUID();
    await saveAccount(db.pool, { userId, email: 'admin@leadline.local', name: 'Admin', role: 'admin', teamId: null, disabled: false, version: 1 });
    const { token } = await new SessionStore(db.pool, SECRET).issue({ userId, ttlSeconds: 600 });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await expectUnavailable(await fetch(`${base}/api/leads`, { method: 'POST', headers, body: JSON.stringify({ company: 'Acme' }) }));
    const bad = await fetch(`${base}/api/leads`, { method: 'POST', headers, body: JSON.stringify({ company: 42 }) });
    expect(bad.status).toBe(400);
  });
});
