import { board, columnPage, overview, stageDto } from '@leadline/contracts';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authAs, buildTestApp } from '../testing/app.ts';
import {
  cp,
  createProjectorState,
  createReadModel,
  insertDefaultPipeline,
  insertLead,
  insertUser,
  markRunning,
  refreshStageTotals,
  type TestLead,
  type TestStage,
  type TestUser,
} from '../testing/readModel.ts';

let db: TestDatabase;
let app: FastifyInstance;
let manager: TestUser;
let rep: TestUser;
let otherRep: TestUser;
let pipelineId: string;
let stages: TestStage[];
const crowded: TestLead[] = [];
let repCard: TestLead;
let otherCard: TestLead;
let pricedForRep: TestLead;

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

beforeAll(async () => {
  db = await createTestDatabase();
  await createReadModel(db.pool);
  await createProjectorState(db.pool);
  await markRunning(db.pool, cp(42));
  manager = await insertUser(db.pool, { name: 'Mia Manager', role: 'manager' });
  rep = await insertUser(db.pool, { name: 'Rita Rep', role: 'rep' });
  otherRep = await insertUser(db.pool, { name: 'Oscar Rep', role: 'rep' });
  ({ pipelineId, stages } = await insertDefaultPipeline(db.pool));
  // 120 unassigned cards in "New": ranks mix upper and lower case (bytewise order differs from
  // a linguistic one) and every rank is shared by two cards, so ties must be broken by id.
  for (let i = 0; i < 120; i++) {
    crowded.push(await insertLead(db.pool, { pipelineId, stageId: stages[0].id, rank: DIGITS[Math.floor(i / 2) % 62], dealValue: 10 }));
  }
  repCard = await insertLead(db.pool, { pipelineId, stageId: stages[1].id, rank: 'M', ownerId: rep.id, dealValue: 200, probability: 50 });
  otherCard = await insertLead(db.pool, { pipelineId, stageId: stages[1].id, rank: 'N', ownerId: otherRep.id, dealValue: 300 });
  pricedForRep = await insertLead(db.pool, { pipelineId, stageId: stages[1].id, rank: 'O', ownerId: null, dealValue: 100 });
  await refreshStageTotals(db.pool);
  app = await buildTestApp(db);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = (url: string, user: TestUser) => app.inject({ method: 'GET', url, headers: authAs(user) });
const byRankThenId = (a: TestLead, b: TestLead) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id < b.id ? -1 : 1);

describe('GET /api/pipeline/stages', () => {
  it('answers the default pipeline stages in board order', async () => {
    const res = await get('/api/pipeline/stages', rep);
    expect(res.statusCode).toBe(200);
    const list = res.json().map((s: unknown) => stageDto.parse(s));
    expect(list.map((s: { name: string }) => s.name)).toEqual(['New', 'Qualified', 'Contacted', 'Proposal', 'Won', 'Lost']);
    expect(list[4]).toMatchObject({ isWon: true, probability: 100, pipelineId });
    expect(res.headers['x-checkpoint']).toBe(cp(42));
  });

  it('answers 404 for an unknown pipeline', async () => {
    expect((await get('/api/pipeline/stages?pipelineId=0f8fad5b-d9cb-469f-a165-70867728950e', rep)).statusCode).toBe(404);
  });
});

describe('GET /api/pipeline/board', () => {
  it('answers every column in order with totals from stage_totals and the first cards', async () => {
    const res = await get('/api/pipeline/board?limit=50', manager);
    expect(res.statusCode).toBe(200);
    const body = board.parse(res.json());
    expect(body).toMatchObject({ pipelineId, checkpoint: cp(42), stale: false });
    expect(body.columns.map((c) => c.name)).toEqual(['New', 'Qualified', 'Contacted', 'Proposal', 'Won', 'Lost']);
    const [fresh, qualified, contacted] = body.columns;
    expect(fresh).toMatchObject({ id: stages[0].id, count: 120, totalValue: 1200, color: '#64748B', orderPosition: 10 });
    expect(fresh.cards.map((c) => c.id)).toEqual([...crowded].sort(byRankThenId).slice(0, 50).map((l) => l.id));
    expect(fresh.nextCursor).not.toBeNull();
    expect(qualified).toMatchObject({ count: 3, totalValue: 600, nextCursor: null });
    expect(qualified.cards.map((c) => [c.id, c.ownerName])).toEqual([
      [repCard.id, 'Rita Rep'],
      [otherCard.id, 'Oscar Rep'],
      [pricedForRep.id, null],
    ]);
    expect(contacted).toMatchObject({ count: 0, totalValue: 0, cards: [], nextCursor: null });
  });

  it('gives a rep only the cards they may see, and totals over those', async () => {
    const body = board.parse((await get('/api/pipeline/board?limit=10', rep)).json());
    const qualified = body.columns[1];
    expect(qualified.cards.map((c) => c.id)).toEqual([repCard.id, pricedForRep.id]);
    expect(qualified).toMatchObject({ count: 2, totalValue: 300 });
    expect(body.columns[0]).toMatchObject({ count: 120, totalValue: 1200 });
  });

  it('pages a column with its cursor: 120 cards in 50 + 50 + 20 without duplicates or gaps', async () => {
    const first = board.parse((await get('/api/pipeline/board?limit=50', manager)).json()).columns[0];
    const seen = first.cards.map((c) => c.id);
    let cursor = first.nextCursor;
    const sizes = [first.cards.length];
    while (cursor) {
      const res = await get(`/api/pipeline/board/columns/${stages[0].id}?limit=50&cursor=${cursor}`, manager);
      expect(res.statusCode).toBe(200);
      const page = columnPage.parse(res.json());
      expect(page).toMatchObject({ stageId: stages[0].id, checkpoint: cp(42), stale: false });
      seen.push(...page.cards.map((c) => c.id));
      sizes.push(page.cards.length);
      cursor = page.nextCursor;
    }
    expect(sizes).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(120);
    expect(seen).toEqual([...crowded].sort(byRankThenId).map((l) => l.id));
  });

  it('refuses a cursor of another column, and a malformed one, with 400', async () => {
    const first = board.parse((await get('/api/pipeline/board?limit=1', manager)).json()).columns[0];
    const other = await get(`/api/pipeline/board/columns/${stages[1].id}?cursor=${first.nextCursor}`, manager);
    expect(other.statusCode).toBe(400);
    expect(other.json().detail).toContain('another column');
    expect((await get(`/api/pipeline/board/columns/${stages[0].id}?cursor=garbage`, manager)).statusCode).toBe(400);
  });

  it('keeps a rep scoped while paging a column', async () => {
    const first = board.parse((await get('/api/pipeline/board?limit=1', rep)).json()).columns[1];
    expect(first.cards.map((c) => c.id)).toEqual([repCard.id]);
    const next = columnPage.parse((await get(`/api/pipeline/board/columns/${stages[1].id}?cursor=${first.nextCursor}&limit=5`, rep)).json());
    expect(next.cards.map((c) => c.id)).toEqual([pricedForRep.id]);
    expect(next.nextCursor).toBeNull();
  });
});

describe('GET /api/pipeline/overview', () => {
  it('answers count, value and weighted value per stage from stage_totals', async () => {
    const body = overview.parse((await get('/api/pipeline/overview', manager)).json());
    expect(body.pipelineId).toBe(pipelineId);
    // Qualified (25 %): 200 at the lead's own 50 %, 300 and 100 at the stage's 25 %.
    expect(body.stages[1]).toEqual({ stageId: stages[1].id, name: 'Qualified', count: 3, totalValue: 600, weightedValue: 200 });
    expect(body.stages[0]).toMatchObject({ count: 120, totalValue: 1200, weightedValue: 120 });
  });

  it('computes a rep overview over their visible leads', async () => {
    const body = overview.parse((await get('/api/pipeline/overview', rep)).json());
    expect(body.stages[1]).toEqual({ stageId: stages[1].id, name: 'Qualified', count: 2, totalValue: 300, weightedValue: 125 });
  });
});
