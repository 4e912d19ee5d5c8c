import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { completeLeadFields, eventDataSchemas, type EventData, type EventType } from '@leadline/contracts';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../port.ts';
import { PostgresEventStore } from '../postgres.ts';
import { newKey } from './envelope.ts';
import { Keyring } from './keyring.ts';
import { MasterKeys, masterKeyId, readKeyFile } from './masterKeys.ts';
import { pruneKeyFile, rotateKeyFile } from './rotate.ts';
import { assertReadable, SealingEventStore } from './sealingStore.ts';

const event = <T extends EventType>(type: T, data: EventData<T>): NewEvent => {
  const eventId = crypto.randomUUID();
  const id = crypto.randomUUID();
  return { eventId, type, data, metadata: { eventId, commandId: id, correlationId: id, causationId: id, actorId: 'test', occurredAt: new Date().toISOString(), schemaVersion: eventDataSchemas[type].version } };
};

const created = (leadId: string, firstName: string) =>
  event('LeadCreated', {
    leadId,
    pipelineId: crypto.randomUUID(),
    stageId: crypto.randomUUID(),
    rank: 'U',
    ownerId: null,
    fields: completeLeadFields({ firstName, lastName: 'Lovelace', email: `${firstName.toLowerCase()}@example.com`, phone: '+44 20 7946 0000', company: 'Engines' }),
  });

describe('the sealing event store', () => {
  let db: TestDatabase;
  let inner: PostgresEventStore;
  let store: SealingEventStore;
  let masterKeys: MasterKeys;

  beforeAll(async () => {
    db = await createTestDatabase();
    inner = await PostgresEventStore.create(db.pool, db.url);
    masterKeys = MasterKeys.of(newKey());
    store = new SealingEventStore(inner, await Keyring.create(db.pool, masterKeys));
  });
  afterAll(() => db.drop());

  const rawData = async (eventId: string) => (await db.pool.query<{ data: Record<string, unknown> }>('SELECT data FROM es.events WHERE event_id = $1', [eventId])).rows[0].data;

  it('stores personal values sealed, placeholders in their place, and reads them back', async () => {
    const leadId = crypto.randomUUID();
    const e = created(leadId, 'Ada');
    await store.append(`lead-${leadId}`, [e], 'no_stream');
    const raw = await rawData(e.eventId);
    expect(JSON.stringify(raw)).not.toMatch(/Ada|Lovelace|example\.com|7946/);
    expect(raw).toMatchObject({ fields: { firstName: 'Erased', lastName: null, email: null, phone: null, company: 'Engines' }, sealed: { keyId: leadId } });
    const [read] = await store.readStream(`lead-${leadId}`);
    expect(read.data).toEqual(e.data);
    expect(read.unreadable).toBeUndefined();
  });

  it('leaves events without personal values as they are (a completed call, a fixed outcome)', async () => {
    const e = event('ActivityCompleted', { activityId: crypto.randomUUID(), leadId: crypto.randomUUID(), completedAt: new Date().toISOString(), outcome: 'no_answer', durationMinutes: 3 });
    await store.append(`activity-${crypto.randomUUID()}`, [e], 'no_stream');
    expect(await rawData(e.eventId)).toEqual(e.data);
  });

  it('loads the keys a page needs in one query, and serves them from memory after', async () => {
    const leads = Array.from({ length: 30 }, () => crypto.randomUUID());
    let last = '';
    for (const leadId of leads) last = (await store.append(`lead-${leadId}`, [created(leadId, 'Grace')], 'no_stream')).checkpoint;
    // The readable head may stay below a transaction another test file holds open: wait for ours.
    for (const deadline = Date.now() + 20_000; (await inner.readAll({ limit: 100_000 })).at(-1)!.checkpoint < last; ) {
      if (Date.now() > deadline) throw new Error('the appends did not become readable');
      await new Promise((r) => setTimeout(r, 20));
    }
    const counting = countingPool(db.pool);
    const cold = new SealingEventStore(inner, await Keyring.create(counting.pool, masterKeys));
    counting.reset();
    const page = await cold.readAll({ limit: 100_000 });
    expect(page.filter((e) => e.type === 'LeadCreated' && (e.data as { fields: { firstName: string } }).fields.firstName === 'Grace')).toHaveLength(30);
    expect(counting.keyQueries()).toBe(1);
    await cold.readAll({ limit: 100_000 });
    expect(counting.keyQueries()).toBe(1);
  });

  it('once the key is erased: placeholders for reads (this process and a fresh one), and no new sealing for the lead', async () => {
    const leadId = crypto.randomUUID();
    const e = created(leadId, 'Mary');
    await store.append(`lead-${leadId}`, [e], 'no_stream');
    await store.keyring.erase(leadId);
    const expectErased = (events: StoredEvent[]) => expect(events[0].data).toMatchObject({ fields: { firstName: 'Erased', lastName: null, email: null, phone: null, company: 'Engines' } });
    expectErased(await store.readStream(`lead-${leadId}`));
    expectErased(await new SealingEventStore(inner, await Keyring.create(db.pool, masterKeys)).readStream(`lead-${leadId}`));
    const again = store.append(`lead-${leadId}`, [event('LeadDetailsUpdated', { leadId, changes: { firstName: { from: 'Erased', to: 'Mary' } } })], 1);
    await expect(again).rejects.toMatchObject({ name: 'IllegalStateError', rule: 'lead-forgotten' });
    const { rows } = await db.pool.query('SELECT master_key_id, wrapped, erased_at FROM keyring.data_keys WHERE key_id = $1', [leadId]);
    expect(rows[0]).toMatchObject({ master_key_id: null, wrapped: null });
    expect(rows[0].erased_at).toBeInstanceOf(Date);
  });

  it('a LeadForgotten read stops a process using a key it still holds in memory', async () => {
    const leadId = crypto.randomUUID();
    await store.append(`lead-${leadId}`, [created(leadId, 'Emmy')], 'no_stream');
    const other = new SealingEventStore(inner, await Keyring.create(db.pool, masterKeys));
    expect((await other.readStream(`lead-${leadId}`))[0].data).toMatchObject({ fields: { firstName: 'Emmy' } });
    await store.keyring.erase(leadId);
    await inner.append(`lead-${leadId}`, [event('LeadForgotten', { leadId, reason: 'request 42' })], 1);
    expect((await other.readStream(`lead-${leadId}`))[0].data).toMatchObject({ fields: { firstName: 'Erased' } });
  });

  it('marks a tampered event unreadable (a poison event), never its placeholders', async () => {
    const leadId = crypto.randomUUID();
    const e = created(leadId, 'Sophie');
    await store.append(`lead-${leadId}`, [e], 'no_stream');
    await db.pool.query(`UPDATE es.events SET data = jsonb_set(data, '{sealed,data}', to_jsonb('AAAA' || substr(data->'sealed'->>'data', 5))) WHERE event_id = $1`, [e.eventId]);
    const [read] = await new SealingEventStore(inner, await Keyring.create(db.pool, masterKeys)).readStream(`lead-${leadId}`);
    expect(read.unreadable).toMatch(/does not open/);
    expect(() => assertReadable(read)).toThrow(/does not open/);
  });

  it('marks events unreadable when their key is wrapped by a master key this process lacks', async () => {
    const leadId = crypto.randomUUID();
    await store.append(`lead-${leadId}`, [created(leadId, 'Hedy')], 'no_stream');
    const stranger = new SealingEventStore(inner, await Keyring.create(db.pool, MasterKeys.of(newKey())));
    const [read] = await stranger.readStream(`lead-${leadId}`);
    expect(read.unreadable).toContain(masterKeys.current().id);
  });

  it('rotation: a new master key id, every data key re-wrapped with it, old keys dropped only when unused', async () => {
    const rotated = await createTestDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-keys-'));
    try {
      const file = path.join(dir, 'master-key.json');
      const running = MasterKeys.ensureFile(file);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const oldId = running.current().id;
      const oldKey = running.current().key;
      const base = await PostgresEventStore.create(rotated.pool, rotated.url);
      const live = new SealingEventStore(base, await Keyring.create(rotated.pool, running));
      const leads = Array.from({ length: 3 }, () => crypto.randomUUID());
      for (const leadId of leads) await live.append(`lead-${leadId}`, [created(leadId, 'Katherine')], 'no_stream');

      await new Promise((r) => setTimeout(r, 20));
      const result = await rotateKeyFile(rotated.pool, file);
      expect(result.current).not.toBe(oldId);
      expect(result.rewrapped).toBe(3);
      expect(result.usage).toEqual({ [result.current]: 3 });
      expect(readKeyFile(file).previous).toHaveLength(1);
      // The running process picks the new file up: new keys are wrapped with the new master key, old data opens.
      expect(running.current().id).toBe(result.current);
      const later = crypto.randomUUID();
      await live.append(`lead-${later}`, [created(later, 'Dorothy')], 'no_stream');
      const { rows } = await rotated.pool.query<{ master_key_id: string }>('SELECT DISTINCT master_key_id FROM keyring.data_keys');
      expect(rows.map((r) => r.master_key_id)).toEqual([result.current]);

      const pruned = await pruneKeyFile(rotated.pool, file);
      expect(pruned.dropped).toEqual([oldId]);
      expect(readKeyFile(file).previous).toEqual([]);
      const fresh = new SealingEventStore(base, await Keyring.create(rotated.pool, MasterKeys.fromFile(file)));
      for (const leadId of [...leads, later]) {
        const [read] = await fresh.readStream(`lead-${leadId}`);
        expect(read.unreadable).toBeUndefined();
        expect(read.data).toMatchObject({ fields: { lastName: 'Lovelace' } });
      }
      // The old master key alone no longer opens anything: the key it lacks is named.
      const onlyOld = new SealingEventStore(base, await Keyring.create(rotated.pool, MasterKeys.of(oldKey)));
      expect((await onlyOld.readStream(`lead-${leads[0]}`))[0].unreadable).toContain(result.current);
      expect(masterKeyId(oldKey)).toBe(oldId);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await rotated.drop();
    }
  });
});

/** A pool whose queries of the key table are counted. */
function countingPool(pool: pg.Pool) {
  let n = 0;
  const proxy = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'query')
        return (text: unknown, ...rest: unknown[]) => {
          if (typeof text === 'string' && text.includes('FROM keyring.data_keys WHERE key_id = ANY')) n++;
          return (target.query as (...a: unknown[]) => unknown)(text, ...rest);
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { pool: proxy, reset: () => (n = 0), keyQueries: () => n };
}
