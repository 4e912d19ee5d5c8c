import { board, columnPage } from '@leadline/contracts';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authAs, buildTestApp } from '../testing/app.ts';
import { cp, createProjectorState, createReadModel, insertDefaultPipeline, insertLead, insertUser, markRunning, refreshStageTotals, type TestStage, type TestUser } from '../testing/readModel.ts';

let db: TestDatabase;
let app: FastifyInstance;
let manager: TestUser;
let rep: TestUser;
let stages: TestStage[];
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  await createReadModel(db.pool);
  await createProjectorState(db.pool);
  await markRunning(db.pool, cp(7));
  manager = await insertUser(db.pool, { name: 'Mia Manager', role: 'manager' });
  rep = await insertUser(db.pool, { name: 'Rita Rep', role: 'rep' });
  let pipelineId: string;
  ({ pipelineId, stages } = await insertDefaultPipeline(db.pool));
  const add = async (key: string, fields: Parameters<typeof insertLead>[1] extends infer T ? Partial<T> : never, source: string | null) => {
    const lead = await insertLead(db.pool, { pipelineId, stageId: stages[0].id, ...fields });
    if (source) await db.pool.query('UPDATE read.leads SET source = $2 WHERE id = $1', [lead.id, source]);
    ids[key] = lead.id;
  };
  await add('acme', { company: 'Acme 100%', dealValue: 1000, ownerId: rep.id, rank: 'A' }, 'Web');
  await add('globex', { company: 'Globex', dealValue: 5000, ownerId: rep.id, probability: 50, rank: 'B' }, 'referral');
  await add('initech', { company: 'Initech', email: 'peter@initech.test', dealValue: 20000, rank: 'C' }, 'web');
  await add('novalue', { company: 'Hooli', dealValue: null, rank: 'D' }, null);
  await add('qualified', { company: 'Acme Labs', stageId: stages[1].id, dealValue: 300, ownerId: rep.id, rank: 'A' }, 'web');
  await refreshStageTotals(db.pool);
  app = await buildTestApp(db);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = (url: string, user: TestUser = manager) => app.inject({ method: 'GET', url, headers: authAs(user) });
const boardWith = async (query: string, user: TestUser = manager) => {
  const res = await get(`/api/pipeline/board?${query}`, user);
  expect(res.statusCode).toBe(200);
  return board.parse(res.json());
};
const cardIds = (b: { columns: { cards: { id: string }[] }[] }, i: number) => b.columns[i].cards.map((c) => c.id);

describe('board filters', () => {
  it('unfiltered: totals and weighted totals per column (lead probability, else the stage\'s)', async () => {
    const b = await boardWith('');
    expect(b.columns[0]).toMatchObject({ count: 4, totalValue: 26000, weightedValue: 1000 * 0.1 + 5000 * 0.5 + 20000 * 0.1 });
  });

  it('by owner (and `none` for unassigned): cards, counts and sums cover the matching leads only', async () => {
    const mine = await boardWith(`ownerId=${rep.id}`);
    expect(cardIds(mine, 0)).toEqual([ids.acme, ids.globex]);
    expect(mine.columns[0]).toMatchObject({ count: 2, totalValue: 6000, weightedValue: 2600 });
    expect(mine.columns[1]).toMatchObject({ count: 1, totalValue: 300 });
    const nobody = await boardWith('ownerId=none');
    expect(cardIds(nobody, 0)).toEqual([ids.initech, ids.novalue]);
    expect(nobody.columns[1]).toMatchObject({ count: 0, totalValue: 0, weightedValue: 0 });
  });

  it('by source (ignoring case), value range (inclusive; no value is out) and text (LIKE wildcards literal)', async () => {
    expect(cardIds(await boardWith('source=WEB'), 0)).toEqual([ids.acme, ids.initech]);
    const range = await boardWith('minValue=1000&maxValue=5000');
    expect(cardIds(range, 0)).toEqual([ids.acme, ids.globex]);
    expect(range.columns[0]).toMatchObject({ count: 2, totalValue: 6000 });
    expect(cardIds(await boardWith('minValue=0'), 0)).not.toContain(ids.novalue);
    expect(cardIds(await boardWith('q=peter%40initech'), 0)).toEqual([ids.initech]);
    expect(cardIds(await boardWith('q=100%25'), 0)).toEqual([ids.acme]);
    expect(cardIds(await boardWith('q=e%25'), 0)).toEqual([]); // % is a character, not a wildcard
    const combined = await boardWith('q=acme&source=web');
    expect(cardIds(combined, 0)).toEqual([ids.acme]);
    expect(cardIds(combined, 1)).toEqual([ids.qualified]);
  });

  it('a rep\'s filter stays inside what they may see', async () => {
    const b = await boardWith('source=web', rep); // a rep sees their own and unassigned leads
    expect(cardIds(b, 0)).toEqual([ids.acme, ids.initech]);
    expect(b.columns[0]).toMatchObject({ count: 2, totalValue: 21000 });
    const others = await boardWith(`ownerId=${manager.id}`, rep);
    expect(others.columns.map((c) => c.count)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('column pages honour the same filter', async () => {
    const first = await boardWith(`limit=1&ownerId=none`);
    expect(cardIds(first, 0)).toEqual([ids.initech]);
    const res = await get(`/api/pipeline/board/columns/${stages[0].id}?limit=5&ownerId=none&cursor=${first.columns[0].nextCursor}`);
    expect(res.statusCode).toBe(200);
    expect(columnPage.parse(res.json()).cards.map((c) => c.id)).toEqual([ids.novalue]);
  });

  it('refuses bad filters and filters with asOf with 400 naming each field', async () => {
    const bad = await get('/api/pipeline/board?ownerId=someone&minValue=-1');
    expect(bad.statusCode).toBe(400);
    const fields = (bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field).join(' ');
    expect(fields).toContain('ownerId');
    expect(fields).toContain('minValue');
    const reversed = await get('/api/pipeline/board?minValue=10&maxValue=5');
    expect(reversed.statusCode).toBe(400);
    expect(JSON.stringify(reversed.json())).toContain('maxValue');
    const past = await get(`/api/pipeline/board?asOf=${encodeURIComponent(new Date().toISOString())}&q=acme&source=web`);
    expect(past.statusCode).toBe(400);
    expect((past.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['querystring.source', 'querystring.q']);
  });
});
