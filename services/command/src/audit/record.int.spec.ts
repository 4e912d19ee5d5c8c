import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditRecordedData } from '@leadline/contracts';
import { PostgresEventStore, type EventStore } from '@leadline/eventstore';
import { StoreUnavailableError, createPool } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { ANN, contextAt, readable } from '../testing/audit.ts';
import { recordAudit, type AuditReceipt } from './record.ts';
import { AUDIT_INDEX_STREAM } from './streams.ts';
import { verifyAuditTrail } from './verify.ts';

/** Another replica: its own pool and store, so its own audit writer. */
async function replica(db: TestDatabase): Promise<{ store: PostgresEventStore; end: () => Promise<void> }> {
  const pool = createPool(db.url, { max: 10, applicationName: 'audit-replica' });
  return { store: await PostgresEventStore.create(pool, db.url), end: () => pool.end() };
}

const last = (receipts: AuditReceipt[]) => receipts.map((r) => r.checkpoint).sort().at(-1)!;

async function intact(store: EventStore, receipts: AuditReceipt[]) {
  await readable(store, last(receipts));
  return verifyAuditTrail(store);
}

describe('recordAudit against PostgreSQL', () => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  /** Two replicas on a fresh database. */
  async function fresh() {
    const db = await createTestDatabase();
    dbs.push(db);
    const a = await replica(db);
    const b = await replica(db);
    return { db, a, b, end: async () => void (await Promise.all([a.end(), b.end()])) };
  }

  it('keeps every record of 50 concurrent ones from each of two replicas, in one intact chain', async () => {
    const { a, b, end } = await fresh();
    try {
      const at = new Date();
      const records = (store: EventStore, who: string) =>
        Array.from({ length: 50 }, (_, i) => recordAudit(store, contextAt(at), { kind: 'restricted_read', subject: { type: 'lead', id: `${who}-${i}` }, detail: { fields: ['dealValue'] } }));
      const receipts = await Promise.all([...records(a.store, 'a'), ...records(b.store, 'b')]);
      expect(new Set(receipts.map((r) => r.eventId)).size).toBe(100);
      expect(new Set(receipts.map((r) => `${r.streamId}@${r.version}`)).size).toBe(100);

      const stored = await a.store.readStream(receipts[0].streamId);
      expect(stored.map((e) => e.eventId).sort()).toEqual(receipts.map((r) => r.eventId).sort());
      for (const r of receipts) expect((stored[r.version - 1].data as AuditRecordedData).hash).toBe(r.hash);
      expect(await intact(a.store, receipts)).toEqual({ events: 100, streams: 1, broken: null });
    } finally {
      await end();
    }
  });

  it('links each new day to the day before, also when a replica whose clock is behind still writes the old day', async () => {
    const { a, b, end } = await fresh();
    try {
      const receipts: AuditReceipt[] = [];
      const rec = (store: EventStore, at: string) => recordAudit(store, contextAt(at), { kind: 'login_succeeded', subject: { type: 'user', id: ANN.userId } });
      receipts.push(await rec(a.store, '2026-12-01T23:59:59.000Z'));
      // b is ahead: it opens the 2nd while a, behind, still stamps the 1st, concurrently.
      receipts.push(...(await Promise.all([rec(b.store, '2026-12-02T00:00:00.100Z'), rec(a.store, '2026-12-01T23:59:59.900Z'), rec(b.store, '2026-12-02T00:00:01.000Z'), rec(a.store, '2026-12-01T23:59:59.950Z')])));
      receipts.push(await rec(a.store, '2026-12-02T00:00:02.000Z'));
      receipts.push(await rec(b.store, '2026-12-03T08:00:00.000Z'));

      const day2 = await a.store.readStream('audit-2026-12-02');
      const first = day2[0].data as AuditRecordedData;
      expect(first.prev?.streamId).toBe('audit-2026-12-01');
      const day1 = await a.store.readStream('audit-2026-12-01');
      expect((day1[first.prev!.version - 1].data as AuditRecordedData).hash).toBe(first.prevHash);
      expect(((await a.store.readStream('audit-2026-12-03'))[0].data as AuditRecordedData).prev).toEqual({ streamId: 'audit-2026-12-02', version: day2.length });
      expect([...new Set((await a.store.readStream(AUDIT_INDEX_STREAM)).map((e) => (e.data as { day: string }).day))].sort()).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
      expect(await intact(a.store, receipts)).toEqual({ events: 7, streams: 3, broken: null });
    } finally {
      await end();
    }
  });

  it('continues the chain from a cold start, finding the newest earlier day through the index', async () => {
    const { db, a, b, end } = await fresh();
    try {
      const receipts = [await recordAudit(a.store, contextAt('2026-11-20T10:00:00Z'), { kind: 'export', subject: { type: 'dataset', id: 'audit' } })];
      // A day listed in the index whose first event never came (a crash between the two appends).
      await a.store.append(AUDIT_INDEX_STREAM, [{ eventId: crypto.randomUUID(), type: 'AuditStreamOpened', data: { streamId: 'audit-2026-11-21', day: '2026-11-21' }, metadata: {} }], 'any');
      const cold = await replica(db);
      try {
        receipts.push(await recordAudit(cold.store, contextAt('2026-11-25T10:00:00Z'), { kind: 'forget', subject: { type: 'lead', id: crypto.randomUUID() }, detail: { reason: 'asked' } }));
      } finally {
        await cold.end();
      }
      receipts.push(await recordAudit(b.store, contextAt('2026-11-25T10:00:01Z'), { kind: 'logout', subject: null }));
      const opening = (await a.store.readStream('audit-2026-11-25'))[0].data as AuditRecordedData;
      expect(opening.prev).toEqual({ streamId: 'audit-2026-11-20', version: 1 });
      expect(await intact(a.store, receipts)).toMatchObject({ events: 3, broken: null });
    } finally {
      await end();
    }
  });

  it('stores an event once when the answer to its append was lost, and acknowledges nothing while the store is down', async () => {
    const { a, end } = await fresh();
    try {
      let mode: 'lose-answer' | 'down' | 'ok' = 'lose-answer';
      const flaky: EventStore = Object.assign(Object.create(a.store) as EventStore, {
        append: async (...args: Parameters<EventStore['append']>) => {
          if (mode === 'down' && args[0].startsWith('audit-')) throw new StoreUnavailableError('down');
          const result = await a.store.append(...args);
          if (mode === 'lose-answer' && args[0].startsWith('audit-')) {
            mode = 'ok';
            throw new StoreUnavailableError('answer lost');
          }
          return result;
        },
      });
      const at = new Date();
      const receipts = [await recordAudit(flaky, contextAt(at), { kind: 'export', subject: { type: 'dataset', id: 'leads' } })];
      mode = 'down';
      await expect(recordAudit(flaky, contextAt(at), { kind: 'export', subject: { type: 'dataset', id: 'leads' } })).rejects.toBeInstanceOf(StoreUnavailableError);
      mode = 'ok';
      receipts.push(await recordAudit(flaky, contextAt(at), { kind: 'export', subject: { type: 'dataset', id: 'leads' } }));
      const stored = await a.store.readStream(receipts[0].streamId);
      expect(stored.map((e) => e.eventId)).toEqual(receipts.map((r) => r.eventId));
      expect(await intact(a.store, receipts)).toEqual({ events: 2, streams: 1, broken: null });
    } finally {
      await end();
    }
  });

  it('refuses at once an entry the contract does not allow, and keeps text jsonb can store', async () => {
    const { a, end } = await fresh();
    try {
      expect(() => recordAudit(a.store, contextAt(new Date()), { kind: 'peek' as never, subject: null })).toThrow(TypeError);
      const receipt = await recordAudit(a.store, { ...contextAt(new Date()), userAgent: `x\u0000y\ud800${'z'.repeat(600)}` }, { kind: 'restricted_read', subject: { type: 'lead', id: 'l' }, detail: { note: 'a\u0000b', at: new Date(0) } });
      const [event] = await a.store.readStream(receipt.streamId);
      const data = event.data as AuditRecordedData;
      expect(data.userAgent).toBe(`xy\ufffd${'z'.repeat(508)}`);
      expect(data.detail).toEqual({ note: 'ab', at: '1970-01-01T00:00:00.000Z' });
      expect(await intact(a.store, [receipt])).toMatchObject({ events: 1, broken: null });
    } finally {
      await end();
    }
  });
});
