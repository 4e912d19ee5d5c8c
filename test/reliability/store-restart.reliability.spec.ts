import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '@leadline/platform';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { report, scale, sleep } from './support.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-restart-'));
// As root, initdb runs as the postgres user, which must be able to reach the data directory.
fs.chmodSync(dataDir, 0o755);
let pgServer: EmbeddedDatabase | undefined;
let stack: Stack | undefined;
afterAll(async () => {
  await stack?.stop().catch(() => {});
  await pgServer?.stop().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('reliability: store restart', () => {
  it('PostgreSQL stopped and started during a load: 503 with Retry-After while down, recovery by itself, nothing acknowledged lost', async () => {
    const port = await freePort();
    pgServer = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'db'), port });
    const password = 'restart-admin-pw';
    // The stack gets its own embedded PostgreSQL via databaseUrl, so that stopping it touches no other test.
    stack = await startStack({ databaseUrl: pgServer.url, dataDir, port: 0, host: '127.0.0.1', sessionSecret: crypto.randomBytes(32).toString('hex'), adminEmail: 'admin@restart.local', adminPassword: password, repVisibility: 'own', cookieSecure: false, logLevel: 'silent' });
    const login = await fetch(`${stack.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@restart.local', password }) });
    const token = ((await login.json()) as { token: string }).token;

    const outages = scale(1, 3);
    const acknowledged: string[] = [];
    const statuses = new Map<string, number>();
    let down = false;
    let missingRetryAfter = 0;
    let running = true;
    const client = async (n: number) => {
      for (let i = 0; running; i++) {
        const phase = down ? 'down' : 'up';
        let status = 0;
        try {
          const res = await fetch(`${stack!.url}/api/leads`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ company: `Restart ${n}-${i}` }) });
          status = res.status;
          const body = (await res.json()) as { id?: string };
          if (status === 201 && body.id) acknowledged.push(body.id);
          if (status === 503 && !res.headers.get('retry-after')) missingRetryAfter++;
        } catch {
          status = -1; // no HTTP answer at all
        }
        statuses.set(`${phase}:${status}`, (statuses.get(`${phase}:${status}`) ?? 0) + 1);
        await sleep(20);
      }
    };
    const clients = Promise.all([0, 1, 2].map(client));
    let recoveryMs = 0;
    for (let o = 0; o < outages; o++) {
      await sleep(800);
      down = true;
      await pgServer.stop();
      await sleep(scale(2000, 3000));
      pgServer = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'db'), port });
      const back = Date.now();
      down = false;
      const before = acknowledged.length;
      while (acknowledged.length === before && Date.now() - back < 30_000) await sleep(20);
      recoveryMs = Math.max(recoveryMs, Date.now() - back);
    }
    await sleep(800);
    running = false;
    await clients;

    // Everything acknowledged is in the store and, once the projector catches up, on the board.
    const check = new pg.Client({ connectionString: pgServer.url });
    await check.connect();
    let lost = 0;
    let projected = 0;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ids = (await check.query(`SELECT substr(stream_id, 6) AS id FROM es.events WHERE type = 'LeadCreated'`)).rows.map((r) => r.id);
      const stored = new Set(ids);
      lost = acknowledged.filter((id) => !stored.has(id)).length;
      projected = (await check.query(`SELECT count(*)::int AS n FROM read.leads WHERE id = ANY($1::uuid[])`, [acknowledged])).rows[0].n;
      if (projected === acknowledged.length || Date.now() > deadline) break;
      await sleep(100);
    }
    await check.end();
    const whileDown = [...statuses].filter(([k]) => k.startsWith('down:'));
    const downOther = whileDown.filter(([k]) => !['down:503', 'down:201'].includes(k)).reduce((n, [, v]) => n + v, 0);
    report('store restart', { outages, requests: [...statuses.values()].reduce((a, b) => a + b, 0), acknowledged: acknowledged.length, answered503WhileDown: statuses.get('down:503') ?? 0, otherWhileDown: downOther, missingRetryAfter, recoveryMs, lostAcknowledged: lost, projected });
    expect(statuses.get('down:503') ?? 0).toBeGreaterThan(0);
    expect(downOther).toBe(0);
    expect(missingRetryAfter).toBe(0);
    expect(lost).toBe(0);
    expect(projected).toBe(acknowledged.length);
    expect([...statuses.keys()].filter((k) => k.startsWith('up:') && k !== 'up:201' && k !== 'up:503')).toEqual([]);
  }, 180_000);
});
