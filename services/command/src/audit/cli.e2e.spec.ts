import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecordedData } from '@leadline/contracts';
import { PostgresEventStore } from '@leadline/eventstore';
import { createLogger } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { chained, contextAt } from '../testing/audit.ts';
import { startAuditChainer } from './chainer.ts';
import { chainHash, contentOf } from './hash.ts';
import { recordAudit } from './record.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** `npm run audit:verify` as an operator runs it, against the test database. */
function verifyCli(db: TestDatabase): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), path.join(repoRoot, 'services/command/src/audit/cli.ts')], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, DATABASE_URL: db.url, MASTER_KEY: crypto.randomBytes(32).toString('base64'), LOG_LEVEL: 'error' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('npm run audit:verify', () => {
  let db: TestDatabase;
  const row = async (day: string, version: number) =>
    (await db.pool.query<{ data: AuditRecordedData }>(`SELECT data FROM es.events WHERE stream_id = $1 AND stream_version = $2`, [`audit-${day}`, version])).rows[0].data;
  const setData = (day: string, version: number, data: AuditRecordedData) =>
    db.pool.query(`UPDATE es.events SET data = $3::jsonb WHERE stream_id = $1 AND stream_version = $2`, [`audit-${day}`, version, JSON.stringify(data)]);

  beforeAll(async () => {
    db = await createTestDatabase();
    const store = await PostgresEventStore.create(db.pool, db.url);
    const chainer = await startAuditChainer({ pool: db.pool, eventStore: store, logger: createLogger('audit-cli-test', 'silent') });
    for (let i = 0; i < 30; i++) await recordAudit(db.pool, contextAt(`2026-12-0${i < 12 ? 1 : 2}T10:00:${String(i).padStart(2, '0')}Z`), { kind: 'restricted_read', subject: { type: 'lead', id: crypto.randomUUID() }, detail: { i } });
    await chained(db.pool, store);
    await chainer.stop();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('says OK for an intact chain, then names the first broken link once a row is changed in PostgreSQL, and what was expected and found', async () => {
    const clean = await verifyCli(db);
    expect(clean.out).toMatch(/^OK: 30 audit events in 2 stream\(s\), every hash and link intact/m);
    expect(clean.code).toBe(0);

    const original = await row('2026-12-02', 3);
    await setData('2026-12-02', 3, { ...original, ip: '6.6.6.6' });
    const edited = await verifyCli(db);
    expect(edited.code).toBe(1);
    expect(edited.out).toContain('BROKEN: audit-2026-12-02 version 3: hash');
    expect(edited.out).toContain(`expected ${chainHash(original.prevHash, { ...contentOf(original), ip: '6.6.6.6' })}`);
    expect(edited.out).toContain(`found    ${original.hash}`);
    expect(edited.out).toContain('14 audit events before it are intact');

    // Re-hashing the changed event moves the break to the next one, whose prevHash still names the old hash.
    const rehashed = { ...original, ip: '6.6.6.6', hash: chainHash(original.prevHash, { ...contentOf(original), ip: '6.6.6.6' }) };
    await setData('2026-12-02', 3, rehashed);
    const moved = await verifyCli(db);
    expect(moved.code).toBe(1);
    expect(moved.out).toContain('BROKEN: audit-2026-12-02 version 4: prevHash');
    expect(moved.out).toContain(`expected ${rehashed.hash}`);
    expect(moved.out).toContain(`found    ${original.hash}`);

    await setData('2026-12-02', 3, original);
    expect((await verifyCli(db)).code).toBe(0);
  });

  it('finds an event deleted from the middle of a day', async () => {
    await db.pool.query(`DELETE FROM es.events WHERE stream_id = 'audit-2026-12-01' AND stream_version = 5`);
    const deleted = await verifyCli(db);
    expect(deleted.code).toBe(1);
    expect(deleted.out).toContain('BROKEN: audit-2026-12-01 version 6: missing event');
    expect(deleted.out).toContain('expected version 5');
  });
});
