import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecordedData } from '@leadline/contracts';
import { PostgresEventStore } from '@leadline/eventstore';
import { createLogger } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { chained, contextAt } from '../testing/audit.ts';
import { startAuditChainer, type AuditChainer } from './chainer.ts';
import { recordAudit } from './record.ts';
import { verifyAuditTrail } from './verify.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The other process: started, ready (its chainer runs), then told to record. */
function otherProcess(db: TestDatabase, count: number) {
  const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), path.join(repoRoot, 'services/command/src/testing/auditReplica.ts'), String(count)], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, DATABASE_URL: db.url },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const lines = new Promise<string[]>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`replica exited ${code}: ${err}`))));
  });
  const ready = new Promise<void>((resolve) => {
    const check = () => (out.includes('ready') ? resolve() : setTimeout(check, 10));
    check();
  });
  return { ready, go: () => child.stdin.end('go\n'), ids: lines.then((l) => JSON.parse(l[l.length - 1]) as string[]) };
}

describe('recordAudit from two processes', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let chainer: AuditChainer;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.create(db.pool, db.url);
    chainer = await startAuditChainer({ pool: db.pool, eventStore: store, logger: createLogger('audit-test', 'silent') });
  });
  afterAll(async () => {
    await chainer?.stop();
    await db?.drop();
  });

  it('keeps all of 50 concurrent records from each of two processes, each once, in one intact chain', async () => {
    const other = otherProcess(db, 50);
    await other.ready;
    other.go();
    const mine = await Promise.all(Array.from({ length: 50 }, (_, i) => recordAudit(db.pool, contextAt(new Date()), { kind: 'restricted_read', subject: { type: 'lead', id: `parent-${i}` } })));
    const theirs = await other.ids;
    await chained(db.pool, store);

    const events = await store.readAll({ types: ['AuditRecorded'], limit: 1000 });
    const chainedIds = events.map((e) => (e.data as AuditRecordedData).recordId);
    expect(chainedIds.sort()).toEqual([...mine.map((r) => r.recordId), ...theirs].sort());
    expect(await verifyAuditTrail(store)).toEqual({ events: 100, streams: 1, broken: null });
  });
});
