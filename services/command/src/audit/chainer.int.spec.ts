import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditRecordedData } from '@leadline/contracts';
import { PostgresEventStore, type EventStore, type StoredEvent } from '@leadline/eventstore';
import { StoreUnavailableError, createLogger, createPool } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { ANN, chained, contextAt } from '../testing/audit.ts';
import { ChainAppender } from './appender.ts';
import { startAuditChainer, type AuditChainer } from './chainer.ts';
import { readPending } from './outbox.ts';
import { recordAudit } from './record.ts';
import { AUDIT_INDEX_STREAM } from './streams.ts';
import { verifyAuditTrail } from './verify.ts';

const logger = createLogger('audit-test', 'silent');

/** A replica of the command service: its own pool (so its own outbox queue), store and chainer. */
type Replica = { pool: ReturnType<typeof createPool>; store: EventStore; chainer: AuditChainer | null; end: () => Promise<void> };

async function replica(db: TestDatabase, options: { chainer?: boolean; store?: (s: PostgresEventStore) => EventStore } = {}): Promise<Replica> {
  const pool = createPool(db.url, { max: 10, applicationName: 'audit-replica' });
  const raw = await PostgresEventStore.create(pool, db.url);
  const store = options.store?.(raw) ?? raw;
  const chainer = options.chainer === false ? null : await startAuditChainer({ pool, eventStore: store, logger });
  return { pool, store, chainer, end: async () => (await chainer?.stop(), await pool.end()) };
}

const auditEvents = async (store: EventStore): Promise<StoredEvent[]> => (await store.readAll({ types: ['AuditRecorded'], limit: 10_000 }));
const recordIdsOf = (events: StoredEvent[]) => events.map((e) => (e.data as AuditRecordedData).recordId);

describe('the audit chainer against PostgreSQL', () => {
  const dbs: TestDatabase[] = [];
  const replicas: Replica[] = [];
  afterAll(async () => {
    for (const r of replicas) await r.end().catch(() => {});
    for (const db of dbs) await db.drop();
  });
  const fresh = async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    return db;
  };
  const start = async (db: TestDatabase, options?: Parameters<typeof replica>[1]) => {
    const r = await replica(db, options);
    replicas.push(r);
    return r;
  };

  it('keeps every one of 50 concurrent records from each of two replicas, once each, in one intact chain', async () => {
    const db = await fresh();
    const [a, b] = [await start(db), await start(db)];
    const at = new Date();
    const records = (r: Replica, who: string) =>
      Array.from({ length: 50 }, (_, i) => recordAudit(r.pool, contextAt(at), { kind: 'restricted_read', subject: { type: 'lead', id: `${who}-${i}` }, detail: { fields: ['dealValue'] } }));
    const receipts = await Promise.all([...records(a, 'a'), ...records(b, 'b')]);
    expect([a.chainer!.instance(), b.chainer!.instance()].sort()).toEqual(['active', 'standby']);
    await chained(db.pool, a.store);

    const events = await auditEvents(a.store);
    expect(recordIdsOf(events).sort()).toEqual(receipts.map((r) => r.recordId).sort());
    expect(await verifyAuditTrail(a.store)).toEqual({ events: 100, streams: 1, broken: null });
  });

  it('hands over to the standby when the active chainer loses its connection, losing and doubling nothing', async () => {
    const db = await fresh();
    const [a, b] = [await start(db), await start(db)];
    const record = (r: Replica, i: number) => recordAudit(r.pool, contextAt(new Date()), { kind: 'login_succeeded', subject: { type: 'user', id: ANN.userId }, detail: { i } });
    const receipts = await Promise.all(Array.from({ length: 20 }, (_, i) => record(i % 2 ? a : b, i)));
    await chained(db.pool, a.store);
    const active = [a, b].find((r) => r.chainer!.instance() === 'active')!;
    const standby = active === a ? b : a;
    await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND objid = (hashtext('chainer')::bigint & 4294967295)::oid AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    receipts.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => record(standby, 20 + i)))));
    await chained(db.pool, a.store);
    const events = await auditEvents(a.store);
    expect(recordIdsOf(events).sort()).toEqual(receipts.map((r) => r.recordId).sort());
    expect(await verifyAuditTrail(a.store)).toMatchObject({ events: 40, broken: null });
  });

  it('links each new day to the day before, and puts a record stamped before midnight but chained after it in the new day', async () => {
    const db = await fresh();
    const writer = await start(db, { chainer: false });
    const rec = (at: string) => recordAudit(writer.pool, contextAt(at), { kind: 'logout', subject: null });
    await rec('2026-12-01T23:59:59.000Z');
    await rec('2026-12-02T00:00:00.100Z');
    await rec('2026-12-01T23:59:59.900Z'); // a replica whose clock is behind
    await rec('2026-12-03T08:00:00.000Z');
    const chainer = await start(db, { store: () => writer.store });
    await chained(db.pool, chainer.store);

    const day1 = await writer.store.readStream('audit-2026-12-01');
    const day2 = await writer.store.readStream('audit-2026-12-02');
    const day3 = await writer.store.readStream('audit-2026-12-03');
    expect([day1.length, day2.length, day3.length]).toEqual([1, 2, 1]);
    const opening = day2[0].data as AuditRecordedData;
    expect(opening.prev).toEqual({ streamId: 'audit-2026-12-01', version: 1 });
    expect(opening.prevHash).toBe((day1[0].data as AuditRecordedData).hash);
    expect((day2[1].data as AuditRecordedData).at).toBe('2026-12-01T23:59:59.900Z');
    expect((day3[0].data as AuditRecordedData).prev).toEqual({ streamId: 'audit-2026-12-02', version: 2 });
    expect(await verifyAuditTrail(writer.store)).toEqual({ events: 4, streams: 3, broken: null });
  });

  it('chains once what was appended before a crash left it in the outbox, and finds the newest day through the index', async () => {
    const db = await fresh();
    const writer = await start(db, { chainer: false });
    const receipts = [];
    for (const day of ['2026-11-20', '2026-11-20', '2026-11-20']) receipts.push(await recordAudit(writer.pool, contextAt(`${day}T10:00:00Z`), { kind: 'export', subject: { type: 'dataset', id: 'leads' } }));
    // A chainer appended them and died before it cleared the outbox.
    await new ChainAppender(writer.store).append(await readPending(writer.pool, 100));
    // A day listed in the index whose first event never came (a crash between the two appends).
    await writer.store.append(AUDIT_INDEX_STREAM, [{ eventId: crypto.randomUUID(), type: 'AuditStreamOpened', data: { streamId: 'audit-2026-11-21', day: '2026-11-21' }, metadata: {} }], 'any');
    receipts.push(await recordAudit(writer.pool, contextAt('2026-11-25T10:00:00Z'), { kind: 'forget', subject: { type: 'lead', id: crypto.randomUUID() }, detail: { reason: 'asked' } }));
    const next = await start(db, { store: () => writer.store });
    await chained(db.pool, next.store);

    const events = await auditEvents(writer.store);
    expect(recordIdsOf(events)).toEqual(receipts.map((r) => r.recordId));
    expect((events[3].data as AuditRecordedData).prev).toEqual({ streamId: 'audit-2026-11-20', version: 3 });
    expect(await verifyAuditTrail(writer.store)).toEqual({ events: 4, streams: 2, broken: null });
  });

  it('keeps records durable while the event store is down, and chains one whose append answer was lost exactly once', async () => {
    const db = await fresh();
    let mode: 'lose-answer' | 'down' | 'ok' = 'down';
    const flaky = (raw: PostgresEventStore): EventStore =>
      Object.assign(Object.create(raw) as EventStore, {
        append: async (...args: Parameters<EventStore['append']>) => {
          if (!args[0].startsWith('audit-')) return raw.append(...args);
          if (mode === 'down') throw new StoreUnavailableError('down');
          const result = await raw.append(...args);
          if (mode === 'lose-answer') {
            mode = 'ok';
            throw new StoreUnavailableError('answer lost');
          }
          return result;
        },
      });
    const r = await start(db, { store: flaky });
    const receipts = [await recordAudit(r.pool, contextAt(new Date()), { kind: 'export', subject: { type: 'dataset', id: 'leads' } })];
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await db.pool.query('SELECT record_id FROM cmd.audit_outbox')).rows).toEqual([{ record_id: receipts[0].recordId }]);
    mode = 'lose-answer';
    receipts.push(await recordAudit(r.pool, contextAt(new Date()), { kind: 'export', subject: { type: 'dataset', id: 'leads' } }));
    await chained(db.pool, r.store, 20_000);
    expect(recordIdsOf(await auditEvents(r.store))).toEqual(receipts.map((x) => x.recordId));
    expect(await verifyAuditTrail(r.store)).toEqual({ events: 2, streams: 1, broken: null });
  });

  it('refuses at once an entry the contract does not allow, and keeps text jsonb can store', async () => {
    const db = await fresh();
    const r = await start(db);
    expect(() => recordAudit(r.pool, contextAt(new Date()), { kind: 'peek' as never, subject: null })).toThrow(TypeError);
    await recordAudit(r.pool, { ...contextAt(new Date()), userAgent: `x\u0000y\ud800${'z'.repeat(600)}` }, { kind: 'restricted_read', subject: { type: 'lead', id: 'l' }, detail: { note: 'a\u0000b', at: new Date(0) } });
    await chained(db.pool, r.store);
    const [event] = await auditEvents(r.store);
    const data = event.data as AuditRecordedData;
    expect(data.userAgent).toBe(`xy\ufffd${'z'.repeat(508)}`);
    expect(data.detail).toEqual({ note: 'ab', at: '1970-01-01T00:00:00.000Z' });
    expect(await verifyAuditTrail(r.store)).toMatchObject({ events: 1, broken: null });
  });
});
