import crypto from 'node:crypto';
import { CHANGE_CHANNEL, changeNotice, type ChangeNotice } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import { StoreUnavailableError, metricsRegistry } from '@leadline/platform';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { append, leadCreated, pipelineCreated, stageAdded, userCreated } from '../test-support/events.ts';
import { caughtUp, projectionState, projectorHarness, waitFor, type ProjectorHarness } from '../test-support/harness.ts';
import { seedHistory } from '../test-support/seed.ts';
import { projections } from '../projections/index.ts';
import { startProjector, type Projector } from './projector.ts';

/** The engine is exercised with the first four projections; the routing manager has its own tests. */
const CORE = ['users', 'stages', 'lead_cards', 'stage_totals'];
const core = projections.filter((p) => CORE.includes(p.name));

describe('projection engine', () => {
  let h: ProjectorHarness;
  const started: Projector[] = [];
  const start = async (overrides: Partial<ProjectorHarness['deps']> = {}) => {
    const p = await startProjector({ ...h.deps, projections: core, routing: false, ...overrides });
    started.push(p);
    return p;
  };
  const count = async (sql: string) => Number((await h.db.pool.query(sql)).rows[0].n);

  beforeEach(async () => {
    h = await projectorHarness();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
    await h.dispose();
  });

  it('advances the checkpoint with each batch and resumes after a restart without repeating an effect', async () => {
    const first = await start({ batchSize: 3 });
    const seeded = await seedHistory(h.store, 6);
    for (const name of ['users', 'stages', 'lead_cards', 'stage_totals']) {
      expect(await caughtUp(h.db, name, seeded.checkpoint)).toMatchObject({ status: 'running', checkpoint: seeded.checkpoint });
    }
    await first.stop();

    const more = await seedHistory(h.store, 4);
    await start({ batchSize: 3 });
    for (const name of ['users', 'stages', 'lead_cards', 'stage_totals']) {
      expect(await caughtUp(h.db, name, more.checkpoint)).toMatchObject({ status: 'running', checkpoint: more.checkpoint });
    }
    expect(await count('SELECT count(*) AS n FROM read.leads')).toBe(10);
    expect(await count('SELECT count(*) AS n FROM read.users')).toBe(4);
    expect(await count('SELECT count(*) AS n FROM read.stages')).toBe(8);
    expect(await count('SELECT sum(lead_count) AS n FROM read.stage_totals')).toBe(10);
    const totals = await h.db.pool.query(
      `SELECT t.stage_id, t.total_value, (SELECT COALESCE(sum(deal_value), 0) FROM read.leads l WHERE l.stage_id = t.stage_id) AS expected FROM read.stage_totals t`,
    );
    for (const row of totals.rows) expect(row.total_value).toBe(row.expected);
  });

  it('stops only the projections a poison event breaks, keeping the events before it, and records its id', async () => {
    await start();
    const pipelineId = crypto.randomUUID();
    const stageId = crypto.randomUUID();
    await append(h.store, `pipeline-${pipelineId}`, pipelineCreated(pipelineId), stageAdded(pipelineId, stageId));
    const good = crypto.randomUUID();
    const after = crypto.randomUUID();
    const poisonId = crypto.randomUUID();
    const valid = leadCreated({ leadId: good, pipelineId, stageId, fields: { company: 'Fine' } });
    const poison = { ...leadCreated({ leadId: crypto.randomUUID(), pipelineId, stageId, fields: { company: 'Bad' } }), eventId: poisonId };
    poison.data = { ...(poison.data as object), rank: 42 };
    poison.metadata = { ...poison.metadata, eventId: poisonId };
    await append(h.store, `lead-${crypto.randomUUID()}`, valid, poison, leadCreated({ leadId: after, pipelineId, stageId, fields: { company: 'Later' } }));

    const failed = await waitFor(async () => {
      const s = await projectionState(h.db, 'lead_cards');
      return s?.status === 'failed' ? s : undefined;
    }, 'lead_cards to fail');
    expect(failed.failed_event_id).toBe(poisonId);
    expect(failed.error).toContain(poisonId);
    expect(failed.error).toContain('rank');
    expect(failed.error).not.toMatch(/\n\s+at /);
    expect(failed.checkpoint).toBe((await h.store.readAll()).find((e) => e.eventId === valid.eventId)?.checkpoint);
    expect((await h.db.pool.query('SELECT id FROM read.leads')).rows).toEqual([{ id: good }]);
    await waitFor(async () => (await projectionState(h.db, 'stage_totals'))?.status === 'failed', 'stage_totals to fail');

    const userId = crypto.randomUUID();
    const cp = await append(h.store, `user-${userId}`, userCreated({ userId, email: 'still@example.com', name: 'Still running' }));
    await caughtUp(h.db, 'users', cp);
    await caughtUp(h.db, 'stages', cp);
    expect(await count(`SELECT count(*) AS n FROM read.users WHERE email = 'still@example.com'`)).toBe(1);
    expect((await projectionState(h.db, 'lead_cards'))?.status).toBe('failed');

    const status = await started[0].status();
    expect(status.find((s) => s.name === 'lead_cards')).toMatchObject({ instance: 'active', status: 'failed', failedEventId: poisonId });
    expect(status.find((s) => s.name === 'users')).toMatchObject({ instance: 'active', status: 'running', failedEventId: null });

    // A restart retries from the checkpoint and stops at the same event again.
    const updatedAt = async () => (await h.db.pool.query(`SELECT updated_at FROM projector.projections WHERE name = 'lead_cards'`)).rows[0].updated_at as Date;
    const before = await updatedAt();
    await started[0].stop();
    await start();
    await waitFor(async () => (await updatedAt()) > before, 'lead_cards to restart');
    const again = await waitFor(async () => {
      const s = await projectionState(h.db, 'lead_cards');
      return s?.status === 'failed' ? s : undefined;
    }, 'lead_cards to fail again');
    expect(again).toMatchObject({ failed_event_id: poisonId, checkpoint: failed.checkpoint });
    expect((await h.db.pool.query('SELECT id FROM read.leads')).rows).toEqual([{ id: good }]);
  });

  it('runs one active instance per projection; the standby takes over when the active one stops', async () => {
    const a = await start();
    await waitFor(async () => (await a.status()).every((s) => s.instance === 'active'), 'first instance active');
    const b = await start();
    await waitFor(async () => (await b.status()).every((s) => s.instance === 'standby' && s.status === 'standby'), 'second instance standby');

    const first = await seedHistory(h.store, 3);
    await caughtUp(h.db, 'lead_cards', first.checkpoint);
    expect((await b.status()).every((s) => s.instance === 'standby')).toBe(true);

    await a.stop();
    await waitFor(async () => (await b.status()).every((s) => s.instance === 'active'), 'standby to take over', 5000);
    const second = await seedHistory(h.store, 3);
    for (const name of ['users', 'stages', 'lead_cards', 'stage_totals']) await caughtUp(h.db, name, second.checkpoint);
    expect(await count('SELECT count(*) AS n FROM read.leads')).toBe(6);
    expect(await count('SELECT sum(lead_count) AS n FROM read.stage_totals')).toBe(6);
  });

  it('splits the keys of a large batch over several notices with its checkpoint, each under the NOTIFY limit', async () => {
    // 400 new leads: their ids (~62 bytes each) need several notices of at most 7500 bytes per batch
    // of more than ~120. The reader only sees transactions below the cluster's xmin, so a long
    // transaction of another test database (a verify) can cut the log into a few batches: 400 keeps
    // at least one batch large enough to need two notices.
    const seeded = await seedHistory(h.store, 2);
    for (let i = 0; i < 400; i++) {
      const leadId = crypto.randomUUID();
      seeded.leadIds.push(leadId);
      seeded.checkpoint = await append(h.store, `lead-${leadId}`, leadCreated({ leadId, pipelineId: seeded.pipelineId, stageId: seeded.stageIds[0], rank: `c${i}` }));
    }
    const listener = new pg.Client({ connectionString: h.db.url });
    await listener.connect();
    const notices: { notice: ChangeNotice; bytes: number }[] = [];
    listener.on('notification', (msg) => notices.push({ notice: changeNotice.parse(JSON.parse(msg.payload ?? '{}')), bytes: Buffer.byteLength(msg.payload ?? '') }));
    await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
    try {
      await start();
      await caughtUp(h.db, 'lead_cards', seeded.checkpoint);
      const named = await waitFor(async () => {
        const keys = new Set(notices.filter((n) => n.notice.projection === 'lead_cards').flatMap((n) => (n.notice.changes ?? []).map((c) => c.key)));
        return seeded.leadIds.every((id) => keys.has(id)) ? keys : undefined;
      }, 'every lead named in a lead_cards notice');
      expect(named.size).toBe(seeded.leadIds.length);
      const lead = notices.filter((n) => n.notice.projection === 'lead_cards');
      expect(lead.every((n) => n.notice.changes !== undefined && n.bytes <= 7500)).toBe(true);
      const perCheckpoint = new Map<string, number>();
      for (const n of lead) perCheckpoint.set(n.notice.checkpoint, (perCheckpoint.get(n.notice.checkpoint) ?? 0) + 1);
      expect(Math.max(...perCheckpoint.values())).toBeGreaterThan(1);
    } finally {
      await listener.end();
    }
  });

  it('publishes a change notice after each commit, naming the changed keys and the checkpoint', async () => {
    const listener = new pg.Client({ connectionString: h.db.url });
    await listener.connect();
    const notices: { notice: ChangeNotice; visible: boolean }[] = [];
    listener.on('notification', (msg) => {
      const notice = changeNotice.parse(JSON.parse(msg.payload ?? '{}'));
      const leads = (notice.changes ?? []).filter((c) => c.view === 'leads').map((c) => c.key);
      if (leads.length === 0) return void notices.push({ notice, visible: true });
      // Checked at arrival: the rows a notice names must already be committed.
      void h.db.pool
        .query('SELECT count(*)::int AS n FROM read.leads WHERE id = ANY($1::uuid[])', [leads])
        .then((r) => notices.push({ notice, visible: r.rows[0].n === leads.length }));
    });
    await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
    try {
      await start();
      const pipelineId = crypto.randomUUID();
      const stageId = crypto.randomUUID();
      await append(h.store, `pipeline-${pipelineId}`, pipelineCreated(pipelineId), stageAdded(pipelineId, stageId));
      const leadId = crypto.randomUUID();
      const cp = await append(h.store, `lead-${leadId}`, leadCreated({ leadId, pipelineId, stageId, fields: { dealValue: 10 } }));

      const leadNotice = await waitFor(async () => notices.find((n) => n.notice.projection === 'lead_cards' && n.notice.checkpoint === cp), 'lead_cards notice');
      expect(leadNotice.notice.changes).toEqual([{ view: 'leads', key: leadId }]);
      expect(leadNotice.visible).toBe(true);
      const totals = await waitFor(async () => notices.find((n) => n.notice.projection === 'stage_totals' && n.notice.checkpoint === cp), 'stage_totals notice');
      expect(totals.notice.changes).toEqual([{ view: 'stage_totals', key: stageId }]);
      const stages = await waitFor(async () => notices.find((n) => n.notice.projection === 'stages' && n.notice.changes?.some((c) => c.key === stageId)), 'stages notice');
      expect(stages.notice.changes).toEqual(expect.arrayContaining([{ view: 'pipelines', key: pipelineId }, { view: 'stages', key: stageId }]));
      // users handled nothing in that batch but its checkpoint advanced: an empty notice wakes minCheckpoint waiters.
      const users = await waitFor(async () => notices.find((n) => n.notice.projection === 'users' && n.notice.checkpoint === cp), 'users notice');
      expect(users.notice.changes).toEqual([]);
    } finally {
      await listener.end();
    }
  });

  it('recovers when the connections holding its locks are killed, without losing or repeating an effect', async () => {
    await start({ batchSize: 4 });
    const first = await seedHistory(h.store, 4);
    for (const name of ['users', 'stages', 'lead_cards', 'stage_totals']) await caughtUp(h.db, name, first.checkpoint);
    const killed = await h.db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(killed.rowCount).toBe(4);
    const second = await seedHistory(h.store, 4);
    for (const name of ['users', 'stages', 'lead_cards', 'stage_totals']) await caughtUp(h.db, name, second.checkpoint);
    expect(await count('SELECT count(*) AS n FROM read.leads')).toBe(8);
    expect(await count('SELECT sum(lead_count) AS n FROM read.stage_totals')).toBe(8);
    expect((await started[0].status()).every((s) => s.instance === 'active' && s.status === 'running')).toBe(true);
  });

  it('backs off and retries while the store is unavailable, then catches up', async () => {
    let failures = 0;
    const flaky: EventStore = Object.assign(Object.create(Object.getPrototypeOf(h.store)), h.store, {
      readAll: async (options?: Parameters<EventStore['readAll']>[0]) => {
        if (failures < 6) {
          failures++;
          throw new StoreUnavailableError('event store unavailable');
        }
        return h.store.readAll(options);
      },
      // Projections read through the typed fast path; it fails the same way.
      readAllOfTypes: async (options: Parameters<NonNullable<EventStore['readAllOfTypes']>>[0]) => {
        if (failures < 6) {
          failures++;
          throw new StoreUnavailableError('event store unavailable');
        }
        return h.store.readAllOfTypes!(options);
      },
    });
    const seeded = await seedHistory(h.store, 2);
    await start({ eventStore: flaky });
    for (const name of ['users', 'stages', 'lead_cards', 'stage_totals']) await caughtUp(h.db, name, seeded.checkpoint);
    expect(failures).toBe(6);
  });

  it('keeps a heartbeat and lag metrics', async () => {
    const seeded = await seedHistory(h.store, 2);
    const projector = await start({ heartbeatMs: 100 });
    await caughtUp(h.db, 'lead_cards', seeded.checkpoint);
    const beat = await waitFor(async () => {
      const { rows } = await h.db.pool.query(`SELECT heartbeat_at FROM projector.projections WHERE name = 'lead_cards'`);
      return rows[0]?.heartbeat_at as Date | undefined;
    }, 'heartbeat');
    await waitFor(async () => {
      const { rows } = await h.db.pool.query(`SELECT heartbeat_at FROM projector.projections WHERE name = 'lead_cards'`);
      return rows[0].heartbeat_at > beat;
    }, 'a later heartbeat');
    await waitFor(async () => {
      const lag = (await metricsRegistry.getSingleMetric('leadline_projection_lag_events')?.get())?.values.find((v) => v.labels.projection === 'lead_cards');
      return lag?.value === 0;
    }, 'lag metric at 0');
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/leadline_projection_events_total\{projection="lead_cards"\} \d+/);
    expect(text).toMatch(/leadline_projection_lag_seconds\{projection="lead_cards"\} 0/);
    expect((await projector.status()).map((s) => s.name)).toEqual(['users', 'stages', 'lead_cards', 'stage_totals']);
  });
});
