import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authAs, buildTestApp } from './testing/app.ts';
import { DEFAULT_PROJECTIONS } from './projections.ts';
import { cp, createProjectorState, createReadModel, insertDefaultPipeline, insertLead, insertUser, markRunning, publish, type TestUser } from './testing/readModel.ts';

describe('health before and after the projector', () => {
  let db: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildTestApp(db);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('walks from 503 (no projector table) to ok, then degraded when a projection fails', async () => {
    const before = await app.inject({ method: 'GET', url: '/api/health' });
    expect(before.statusCode).toBe(503);
    expect(before.headers['content-type']).toContain('application/problem+json');
    expect(before.json().detail).toContain('projector');

    await createReadModel(db.pool);
    await createProjectorState(db.pool);
    const empty = await app.inject({ method: 'GET', url: '/api/health' });
    expect(empty.statusCode).toBe(503);
    expect(empty.json().detail).toContain('lead_cards');

    await markRunning(db.pool, cp(3));
    const ok = await app.inject({ method: 'GET', url: '/api/health' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('ok');
    expect(ok.json().projections).toHaveLength(DEFAULT_PROJECTIONS.length);

    const failedEventId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    await db.pool.query(`UPDATE projector.projections SET status = 'failed', error = 'bad event', failed_event_id = $1, heartbeat_at = now() - interval '5 minutes' WHERE name = 'lead_cards'`, [
      failedEventId,
    ]);
    const degraded = await app.inject({ method: 'GET', url: '/api/health' });
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json().status).toBe('degraded');
    expect(degraded.json().projections.find((p: { name: string }) => p.name === 'lead_cards')).toMatchObject({ status: 'failed', error: 'bad event', failedEventId });

    await db.pool.query(`UPDATE projector.projections SET heartbeat_at = now() - interval '31 seconds' WHERE name = 'users'`);
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(503);
  });
});

describe('minCheckpoint', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let admin: TestUser;
  let leadId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await createReadModel(db.pool);
    await createProjectorState(db.pool);
    await markRunning(db.pool, cp(10));
    admin = await insertUser(db.pool, { name: 'Ann Admin', role: 'admin' });
    const { pipelineId, stages } = await insertDefaultPipeline(db.pool);
    leadId = (await insertLead(db.pool, { pipelineId, stageId: stages[0].id })).id;
    app = await buildTestApp(db);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const getLead = (min: string) => app.inject({ method: 'GET', url: `/api/leads/${leadId}?minCheckpoint=${min}`, headers: authAs(admin) });

  it('answers at once when the projections have already reached it', async () => {
    const started = Date.now();
    const res = await getLead(cp(10));
    expect(Date.now() - started).toBeLessThan(500);
    expect(res.json()).toMatchObject({ checkpoint: cp(10), stale: false });
  });

  it('waits and answers as soon as a notice advances every projection it reads', async () => {
    const started = Date.now();
    const pending = getLead(cp(20));
    await new Promise((r) => setTimeout(r, 300));
    await publish(db.pool, { projection: 'lead_cards', checkpoint: cp(20), changes: [{ view: 'leads', key: leadId }] });
    await new Promise((r) => setTimeout(r, 200));
    // users (owner names) is read too: the answer waits for it.
    await publish(db.pool, { projection: 'users', checkpoint: cp(21), changes: [] });
    const res = await pending;
    const took = Date.now() - started;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ checkpoint: cp(20), stale: false });
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(1_500);
  });

  it('answers stale after about 2 s when the checkpoint is not reached', async () => {
    const started = Date.now();
    const res = await getLead(cp(99));
    const took = Date.now() - started;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stale: true });
    expect(res.json().checkpoint < cp(99)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(3_500);
  });

  it('reports staleness in headers for answers that are arrays', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/users?minCheckpoint=${cp(98)}`, headers: authAs(admin) });
    expect(res.headers['x-stale']).toBe('true');
  });

  it('finds a checkpoint written without a notice when the wait runs out', async () => {
    await db.pool.query(`UPDATE projector.projections SET checkpoint = $1`, [cp(50)]);
    const res = await getLead(cp(50));
    expect(res.json()).toMatchObject({ checkpoint: cp(50), stale: false });
  });

  it('refuses a minCheckpoint that is not a checkpoint', async () => {
    expect((await getLead('abc')).statusCode).toBe(400);
  });
});
