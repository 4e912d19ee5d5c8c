import { afterEach, describe, expect, it } from 'vitest';
import { defaultStages } from '@leadline/contracts';
import { PostgresEventStore } from '@leadline/eventstore';
import { createLogger } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { bootstrap } from './bootstrap.ts';
import { DEFAULT_PIPELINE_ID } from './ids.ts';
import { emailStream, findUserByEmail } from './users/accounts.ts';
import { loadCredential, passwordMatches } from './users/credentials.ts';

const log = createLogger('bootstrap-test', 'silent');

describe('bootstrap', () => {
  let db: TestDatabase;
  afterEach(() => db?.drop());

  it('creates the default pipeline and one admin once, even when several processes run it at once', async () => {
    db = await createTestDatabase();
    const eventStore = await PostgresEventStore.create(db.pool, db.url);
    const runs = await Promise.all([1, 2, 3, 4].map(() => bootstrap({ eventStore, pool: db.pool, log })));
    expect(new Set(runs.map((r) => r.defaultPipelineId))).toEqual(new Set([DEFAULT_PIPELINE_ID]));
    const created = runs.filter((r) => r.admin.created);
    expect(created).toHaveLength(1);
    expect(created[0].admin).toMatchObject({ email: 'admin@leadline.local', password: expect.stringMatching(/^[A-Za-z0-9]{16}$/) });
    expect(runs.filter((r) => r.admin.password)).toHaveLength(1);

    const pipeline = await eventStore.readStream(`pipeline-${DEFAULT_PIPELINE_ID}`);
    expect(pipeline.map((e) => e.type)).toEqual(['PipelineCreated', ...defaultStages.map(() => 'StageAdded'), 'LostReasonsSet']);
    expect(pipeline.map((e) => (e.data as { name: string }).name)).toEqual(['Sales', ...defaultStages.map((s) => s.name), undefined]);
    expect(await eventStore.readStream(emailStream('admin@leadline.local'))).toHaveLength(1);
    const admin = await findUserByEmail(eventStore, 'ADMIN@leadline.local');
    expect(admin).toMatchObject({ role: 'admin', email: 'admin@leadline.local', disabled: false });
    const credential = await loadCredential(db.pool, created[0].admin.userId);
    expect(await passwordMatches(credential, created[0].admin.password!)).toBe(true);
    const [userCreated] = await eventStore.readStream(`user-${created[0].admin.userId}`);
    expect(userCreated.data).not.toHaveProperty('passwordHash');
    expect(userCreated.metadata.schemaVersion).toBe(2);

    const again = await bootstrap({ eventStore, pool: db.pool, log });
    expect(again.admin).toEqual({ userId: created[0].admin.userId, email: 'admin@leadline.local', created: false });
    expect(await eventStore.readStream(`pipeline-${DEFAULT_PIPELINE_ID}`)).toHaveLength(8);
  });

  it('uses the given email and password and never echoes a given password', async () => {
    db = await createTestDatabase();
    const eventStore = await PostgresEventStore.create(db.pool, db.url);
    const run = await bootstrap({ eventStore, pool: db.pool, adminEmail: 'Boss@Example.com', adminPassword: 'a-given-password', log });
    expect(run.admin).toEqual({ userId: expect.stringMatching(/^[0-9a-f-]{36}$/), email: 'boss@example.com', created: true });
  });
});
