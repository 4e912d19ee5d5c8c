import crypto from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadModel, insertLead, insertStage, insertUser, refreshStageTotals, type TestStage } from '../testing/readModel.ts';
import { overviewGrouped, overviewNow, overviewPerStage, perStageRows } from './history.ts';
import { stageTotals } from './pipeline.ts';
import type { Scope } from './visibility.ts';

const NOW = '2026-03-01T12:00:00.000Z';
const DAY = 86_400_000;
const ALL: Scope = { kind: 'all' };

let db: TestDatabase;
let pipelineId: string;
let stages: Record<'odd' | 'even' | 'empty' | 'single' | 'pair' | 'random' | 'won' | 'lost', TestStage>;
let repId: string;
let otherRepId: string;

/** A moment `days` before NOW, with microseconds, so that ages are not round numbers. */
const ago = (days: number, micros = 0) => new Date(Date.parse(NOW) - days * DAY).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);

async function lead(stage: TestStage, entered: string, touched: string, ownerId: string | null = null) {
  const row = await insertLead(db.pool, { pipelineId, stageId: stage.id, createdAt: entered, ownerId, dealValue: 100 });
  await db.pool.query('UPDATE read.leads__g1 SET stage_entered_at = $2, updated_at = $3 WHERE id = $1', [row.id, entered, touched]);
}

async function stage(name: string, orderPosition: number, rottingDays: number | null, flags: { isWon?: boolean; isLost?: boolean } = {}) {
  const s = await insertStage(db.pool, { pipelineId, name, orderPosition, ...flags });
  await db.pool.query('UPDATE read.stages__g1 SET rotting_days = $2 WHERE id = $1', [s.id, rottingDays]);
  return s;
}

/** A seeded generator (mulberry32): the random stage is the same on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  await createReadModel(db.pool);
  repId = (await insertUser(db.pool, { name: 'Rita Rep', role: 'rep' })).id;
  otherRepId = (await insertUser(db.pool, { name: 'Oscar Rep', role: 'rep' })).id;
  pipelineId = crypto.randomUUID();
  await db.pool.query(`INSERT INTO read.pipelines__g1 (id, name, is_default, created_at) VALUES ($1, 'Sales', true, now())`, [pipelineId]);
  stages = {
    odd: await stage('Odd', 10, 14),
    even: await stage('Even', 20, 7),
    empty: await stage('Empty', 30, 10),
    single: await stage('Single', 40, null),
    pair: await stage('Pair', 50, 3),
    random: await stage('Random', 60, 5),
    won: await stage('Won', 70, 1, { isWon: true }),
    lost: await stage('Lost', 80, 1, { isLost: true }),
  };
  // Odd (5 leads, ties on the median): ages 1, 3, 3, 3, 20.5 days; two untouched for more than 14 days.
  await lead(stages.odd, ago(1), ago(1));
  for (let i = 0; i < 3; i++) await lead(stages.odd, ago(3, 250), ago(i === 0 ? 30 : 2), i === 1 ? repId : null);
  await lead(stages.odd, ago(20.5), ago(20.5), repId);
  // Even (6 leads): the two middle ages (2.2 and 5.4) differ, so the interpolation shows (3.8).
  for (const [days, touched] of [[0.5, 0.5], [1, 9], [2.2, 2.2], [5.4, 8], [5.4, 5.4], [40, 7.5]]) await lead(stages.even, ago(days, 999), ago(touched), days > 5 ? repId : null);
  await lead(stages.single, ago(12.34), ago(100));
  await lead(stages.pair, ago(2), ago(2));
  await lead(stages.pair, ago(2), ago(4));
  // Random (even count, many ties: entry times drawn from 40 moments).
  const next = random(2026);
  for (let i = 0; i < 300; i++) {
    const entered = ago(Math.floor(next() * 40) * 0.37, Math.floor(next() * 1000));
    const owner = next();
    await lead(stages.random, entered, ago(next() * 10), owner < 0.3 ? repId : owner < 0.6 ? otherRepId : null);
  }
  for (let i = 0; i < 3; i++) await lead(stages.won, ago(50 + i), ago(50 + i));
  await lead(stages.lost, ago(9), ago(9));
  // Another pipeline's stage and lead must not count.
  const otherPipeline = crypto.randomUUID();
  await db.pool.query(`INSERT INTO read.pipelines__g1 (id, name, is_default, created_at) VALUES ($1, 'Other', false, now())`, [otherPipeline]);
  const other = await insertStage(db.pool, { pipelineId: otherPipeline, name: 'Elsewhere', orderPosition: 10 });
  await insertLead(db.pool, { pipelineId: otherPipeline, stageId: other.id, createdAt: ago(60) });
  await refreshStageTotals(db.pool);
  await db.pool.query('ANALYZE');
});

afterAll(async () => {
  await db?.drop();
});

const grouped = async (scope: Scope) => overviewGrouped(db.pool, scope, pipelineId, NOW, await stageTotals(db.pool, scope, { pipelineIds: [pipelineId] }));

describe('overview now, all leads', () => {
  it('gives the same figures per stage as the GROUP BY over every lead', async () => {
    const fast = await overviewPerStage(db.pool, pipelineId, NOW);
    expect(fast).toEqual(await grouped(ALL));
    expect(fast.map((s) => s.name)).toEqual(['Odd', 'Even', 'Empty', 'Single', 'Pair', 'Random', 'Won', 'Lost']);
  });

  it('takes the middle entry of an odd count, interpolates an even one, and leaves an empty stage without ages', async () => {
    const byName = new Map((await overviewPerStage(db.pool, pipelineId, NOW)).map((s) => [s.name, s]));
    expect(byName.get('Odd')).toMatchObject({ count: 5, medianAgeDays: 3, avgAgeDays: 6.1, rottingCount: 2 });
    expect(byName.get('Even')).toMatchObject({ count: 6, medianAgeDays: 3.8, avgAgeDays: 9.1, rottingCount: 3 });
    expect(byName.get('Empty')).toMatchObject({ count: 0, medianAgeDays: null, avgAgeDays: null, rottingCount: 0 });
    expect(byName.get('Single')).toMatchObject({ count: 1, medianAgeDays: 12.3, rottingCount: 0 });
    expect(byName.get('Pair')).toMatchObject({ count: 2, medianAgeDays: 2, rottingCount: 1 });
    expect(byName.get('Random')).toMatchObject({ count: 300 });
    expect(byName.get('Won')).toMatchObject({ count: 3, rottingCount: 0 });
    expect(byName.get('Lost')).toMatchObject({ count: 1, rottingCount: 0 });
  });

  it('computes the unrounded median exactly as percentile_cont does, and the same average', async () => {
    const age = `date_part('epoch', $2::timestamptz - l.stage_entered_at) / 86400.0`;
    const { rows: reference } = await db.pool.query<{ id: string; avg: number; median: number }>(
      `SELECT s.id, avg(${age})::float8 AS avg, percentile_cont(0.5) WITHIN GROUP (ORDER BY ${age})::float8 AS median
       FROM read.stages s JOIN read.leads l ON l.stage_id = s.id WHERE s.pipeline_id = $1::uuid GROUP BY s.id`,
      [pipelineId, NOW],
    );
    const rows = new Map((await perStageRows(db.pool, pipelineId, NOW)).map((r) => [r.id, r]));
    expect(reference).toHaveLength(7);
    for (const r of reference) {
      expect(rows.get(r.id)!.median_days).toBe(r.median);
      expect(rows.get(r.id)!.avg_days).toBeCloseTo(r.avg, 9);
    }
    expect(rows.get(stages.empty.id)).toMatchObject({ count: 0, avg_days: null, median_days: null });
  });
});

describe('overview now, a rep who sees their own leads', () => {
  it('keeps the GROUP BY over their own and unassigned leads', async () => {
    const own: Scope = { kind: 'own', userId: repId };
    const figures = await overviewNow(db.pool, own, pipelineId, NOW);
    expect(figures).toEqual(await grouped(own));
    expect(figures.find((s) => s.name === 'Odd')).toMatchObject({ count: 5 });
    expect(figures.find((s) => s.name === 'Even')).toMatchObject({ count: 6 });
    expect(figures.find((s) => s.name === 'Random')!.count).toBeLessThan(300);
  });
});
