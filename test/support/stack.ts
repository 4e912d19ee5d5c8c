import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCommandApp } from '@leadline/command';
import type { CommandAccepted } from '@leadline/contracts';
import { createLogger, createServer, SessionStore } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { repoRoot, startStack, type Stack } from '../../scripts/stack.ts';

export type TestStack = Stack & {
  db: TestDatabase;
  /** The copy of web/dist this stack serves (with `web: true` and a built app). */
  webDist?: string;
  adminPassword: string;
  /** Logs in through the API and returns the bearer token. */
  login: (email: string, password: string) => Promise<string>;
  api: <T = unknown>(method: string, url: string, token: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: T; headers: Headers }>;
  close: () => Promise<void>;
};

/** Whether index.html and every asset it names are there (a build in progress empties web/dist first). */
function isCompleteBuild(dir: string): boolean {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) return false;
  const assets = [...fs.readFileSync(index, 'utf8').matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  return assets.every((a) => fs.existsSync(path.join(dir, a)));
}

/**
 * The web app as built when the stack starts, copied into its data directory. Served from the
 * checkout itself, a `vite build` there while a test runs (another build, `npm start`) empties
 * web/dist and writes new content-hashed names: the open page's next lazy chunk is gone and the
 * test waits for a page that never comes.
 */
async function snapshotWebDist(dataDir: string): Promise<string | undefined> {
  const dist = path.join(repoRoot, 'web', 'dist');
  const copy = path.join(dataDir, 'web');
  for (let attempt = 0; attempt < 60; attempt++) {
    if (isCompleteBuild(dist)) {
      fs.rmSync(copy, { recursive: true, force: true });
      try {
        fs.cpSync(dist, copy, { recursive: true });
      } catch {
        // a build removed files while we copied: try again
      }
      if (isCompleteBuild(copy)) return copy;
    }
    if (!fs.existsSync(dist)) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`web/dist stayed incomplete for 30 s (a build that does not finish?): run npm run build -w web`);
}

/** The whole product (command + query + projector on one server) on a fresh database. */
export async function startTestStack(options: { web?: boolean; repVisibility?: 'own' | 'all'; trustedProxies?: string[] } = {}): Promise<TestStack> {
  const db = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-stack-'));
  const adminPassword = `pw-${crypto.randomBytes(8).toString('hex')}`;
  const webDist = options.web ? await snapshotWebDist(dataDir) : undefined;
  const stack = await startStack({
    databaseUrl: db.url,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    sessionSecret: crypto.randomBytes(32).toString('hex'),
    adminEmail: 'admin@test.local',
    adminPassword,
    repVisibility: options.repVisibility ?? 'own',
    cookieSecure: false,
    trustedProxies: options.trustedProxies,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    webDist,
  });
  const api: TestStack['api'] = async (method, url, token, body, headers = {}) => {
    const send = () =>
      fetch(stack.url + url, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let res = await send();
    // As the web app does (useApi): a read that waited for minCheckpoint and still answers stale on a busy machine is asked again.
    for (let attempt = 0; method === 'GET' && url.includes('minCheckpoint=') && res.headers.get('x-stale') === 'true' && attempt < 4; attempt++) {
      await res.text();
      res = await send();
    }
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never, headers: res.headers };
  };
  const login = async (email: string, password: string) => {
    const res = await fetch(stack.url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };
  return {
    ...stack,
    db,
    webDist,
    adminPassword,
    login,
    api,
    close: async () => {
      await stack.stop();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sends a command as the admin as if at `at`: a command app whose clock says `at` stamps the events,
 * so tests can build a past (time travel, rotting, cohorts) through the real command path.
 */
export async function sendAt(s: TestStack, at: number, method: 'POST' | 'PUT', url: string, payload: object): Promise<CommandAccepted> {
  const app = await createServer({ logger: createLogger('seed', 'warn'), title: 'seed' });
  await app.register(buildCommandApp({ pool: s.pool, eventStore: s.eventStore, sessionSecret: s.sessionSecret, cookieSecure: false, clock: () => new Date(at) }));
  await app.ready();
  const { token } = await new SessionStore(s.pool, s.sessionSecret).issue({ userId: s.admin.userId, ttlSeconds: 600, userAgent: 'seed' });
  try {
    const res = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as CommandAccepted;
  } finally {
    await app.close();
  }
}
