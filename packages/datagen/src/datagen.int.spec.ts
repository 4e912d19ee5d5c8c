import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommandApp } from '@leadline/command';
import type { StageDto } from '@leadline/contracts';
import { MasterKeys, openEventStore, type EventStore } from '@leadline/eventstore';
import { createLogger, createServer, SessionStore } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { startTestStack, type TestStack } from '../../../test/support/stack.ts';
import { bulkAppend, planDataset, writeThroughCommands } from './index.ts';

let stack: TestStack;
let bulkDb: TestDatabase;
beforeAll(async () => {
  [stack, bulkDb] = await Promise.all([startTestStack(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), bulkDb?.drop()]);
});

type Row = { stream_id: string; stream_version: number; type: string; data: Record<string, unknown>; at: string; actor: string };

/**
 * The lead events of a database twice: as stored (the ciphertext of the sealed part left out: its IV
 * is random, so no two seals of the same values are equal) and as `store` opens them.
 */
const leadEvents = async (pool: TestDatabase['pool'], store: EventStore) => {
  const stored = (
    await pool.query<Row>(
      `SELECT stream_id, stream_version, type, data, metadata->>'occurredAt' AS at, metadata->>'actorId' AS actor
       FROM es.events WHERE stream_id LIKE 'lead-%' ORDER BY stream_id, stream_version`,
    )
  ).rows;
  const opened = new Map((await Promise.all([...new Set(stored.map((r) => r.stream_id))].map((s) => store.readStream(s)))).flat().map((e) => [`${e.streamId}/${e.streamVersion}`, e]));
  return {
    stored: stored.map(({ data: { sealed, ...plain }, ...row }) => ({ ...row, data: sealed ? { ...plain, sealed: { keyId: (sealed as { keyId: string }).keyId } } : plain })),
    opened: stored.map((row) => {
      const e = opened.get(`${row.stream_id}/${row.stream_version}`)!;
      return { ...row, data: e.data, unreadable: e.unreadable };
    }),
  };
};

describe('the bulk path', () => {
  it('appends exactly the events the command path appends for the same plan', async () => {
    const token = await stack.login('admin@test.local', stack.adminPassword);
    const reps: string[] = [];
    for (const name of ['Rita', 'Sam']) {
      const res = await stack.api<{ id: string }>('POST', '/api/users', token, { email: `${name.toLowerCase()}@test.local`, name, role: 'rep', password: 'a-long-password' });
      reps.push(res.body.id);
    }
    const stages = (await stack.api<StageDto[]>('GET', '/api/pipeline/stages', token)).body;
    const plan = () => planDataset({ leads: 40, seed: 11, stages, ownerIds: reps, start: Date.UTC(2025, 0, 1), end: Date.UTC(2025, 2, 1) });

    // Command path: the real routes with a clock set to each planned time, one command at a time,
    // each waiting until the projector has caught up (the create rule reads the column's top from it).
    let now = 0;
    const seeder = await createServer({ logger: createLogger('seed', 'silent'), title: 'seed' });
    await seeder.register(buildCommandApp({ pool: stack.pool, eventStore: stack.eventStore, sessionSecret: stack.sessionSecret, cookieSecure: false, clock: () => new Date(now) }));
    await seeder.ready();
    const session = await new SessionStore(stack.pool, stack.sessionSecret).issue({ userId: stack.admin.userId, ttlSeconds: 3600, userAgent: 'seed' });
    const auth = `Bearer ${session.token}`;
    const run = await writeThroughCommands(
      plan(),
      async (method, url, body, at) => {
        now = at;
        const res = await seeder.inject({ method, url, payload: body as object, headers: { authorization: auth } });
        return { status: res.statusCode, body: res.json() };
      },
      {
        concurrency: 1,
        afterEach: async (cp) => {
          for (;;) {
            const { rows } = await stack.pool.query(`SELECT checkpoint FROM projector.projections WHERE name = 'lead_cards'`);
            if (rows[0] && rows[0].checkpoint >= cp) return;
            await new Promise((r) => setTimeout(r, 5));
          }
        },
      },
    );
    await seeder.close();

    const bulkStore = await openEventStore({ kind: 'postgres' }, { pool: bulkDb.pool, databaseUrl: bulkDb.url, log: createLogger('bulk', 'silent'), masterKeys: MasterKeys.of(crypto.randomBytes(32)) });
    const bulk = await bulkAppend(bulkDb.pool, bulkStore.keyring, plan(), { pipelineId: stack.defaultPipelineId, stages, actorId: stack.admin.userId }, { batchSize: 7 });

    const viaCommands = await leadEvents(stack.pool, stack.eventStore);
    const viaBulk = await leadEvents(bulkDb.pool, bulkStore);
    expect(run.commands).toBe(bulk.commands);
    expect(viaBulk.stored.length).toBe(bulk.events);
    expect(new Set(viaCommands.stored.map((e) => e.type))).toEqual(new Set(['LeadCreated', 'LeadMovedToStage', 'LeadAssigned']));
    // Sealed alike: the same placeholders in the clear, each creation sealed with its lead's key.
    expect(viaBulk.stored.filter((e) => e.type === 'LeadCreated').map((e) => e.data.sealed)).toEqual(viaBulk.stored.filter((e) => e.type === 'LeadCreated').map((e) => ({ keyId: e.stream_id.slice('lead-'.length) })));
    expect(viaBulk.stored).toEqual(viaCommands.stored);
    // And opened, the same events, real names included.
    expect(viaBulk.opened).toEqual(viaCommands.opened);
    expect(viaBulk.opened.every((e) => e.unreadable === undefined)).toBe(true);
    expect(viaBulk.opened.find((e) => e.type === 'LeadCreated')?.data).not.toMatchObject({ fields: { firstName: 'Erased' } });
    const streams = await bulkDb.pool.query(`SELECT count(*)::int AS n, sum(version)::int AS v FROM es.streams WHERE stream_id LIKE 'lead-%'`);
    expect(streams.rows[0]).toEqual({ n: 40, v: bulk.events });
  });
});
