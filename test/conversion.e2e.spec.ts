import type { ConversionRates, StageDto } from '@leadline/contracts';
import { bulkAppend, planDataset } from '@leadline/datagen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/stack.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5, 13, 30);
const END = START + 60 * DAY;

/**
 * GET /api/pipeline/conversion-rates (answered from the conversion projection's rollups) against a
 * reference computed here with plain SQL over every recorded stay (`read.stage_stays`, the
 * pipeline_history projection), on a seeded dataset written through the bulk path.
 */
describe('conversion rates equal a straight computation over every recorded stay', () => {
  let s: TestStack;
  let admin: string;
  let stages: StageDto[];
  const reps: string[] = [];

  beforeAll(async () => {
    s = await startTestStack();
    admin = await s.login('admin@test.local', s.adminPassword);
    for (const name of ['Rita', 'Sam', 'Tia']) {
      reps.push((await s.api<{ id: string }>('POST', '/api/users', admin, { email: `${name.toLowerCase()}@test.local`, name, role: 'rep', password: 'a-long-password' })).body.id);
    }
    stages = (await s.api<StageDto[]>('GET', '/api/pipeline/stages', admin)).body;
    const plan = planDataset({ leads: 400, seed: 7, stages: stages.map((x) => ({ id: x.id, name: x.name, isWon: x.isWon, isLost: x.isLost })), ownerIds: reps, start: START, end: END });
    await bulkAppend(s.pool, s.eventStore.keyring, plan, { pipelineId: stages[0].pipelineId, stages: stages.map((x) => ({ id: x.id, name: x.name, isWon: x.isWon, isLost: x.isLost })), actorId: s.admin.userId });
    // Every event committed so far, not the readable head: that stops below any transaction still
    // open in the cluster (other test files run beside this one), which could be before the load.
    const head = await s.eventStore.committedCheckpoint();
    for (const deadline = Date.now() + 60_000; ; ) {
      const { rows } = await s.pool.query(`SELECT count(*)::int AS n FROM projector.projections WHERE name IN ('conversion', 'pipeline_history', 'stages') AND checkpoint >= $1`, [head]);
      if (rows[0].n === 3) break;
      if (Date.now() > deadline) throw new Error('projections did not catch up in 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 120_000);
  afterAll(() => s?.close());

  /** The documented semantics (docs/pipelines.md), straight from the stays. */
  async function reference(from: string, to: string, ownerId: string | null) {
    const params = [stages[0].pipelineId, from, to, ownerId];
    const position = `CASE WHEN st.is_won THEN 1000000 ELSE st.order_position END`;
    const cohort = await s.pool.query<{ lead_id: string; furthest: number | null }>(
      `WITH first AS (SELECT DISTINCT ON (lead_id) lead_id, entered_at, owner_id FROM read.stage_stays WHERE pipeline_id = $1 ORDER BY lead_id, entered_at, version)
       SELECT f.lead_id, (SELECT max(${position}) FROM read.stage_stays ss JOIN read.stages st ON st.id = ss.stage_id AND NOT st.is_lost
                          WHERE ss.lead_id = f.lead_id AND ss.pipeline_id = $1 AND ss.entered_at < $3) AS furthest
       FROM first f WHERE f.entered_at >= $2 AND f.entered_at < $3 AND ($4::uuid IS NULL OR f.owner_id = $4::uuid)`,
      params,
    );
    const pairs = await s.pool.query<{ from_stage_id: string | null; stage_id: string; n: number }>(
      `SELECT from_stage_id, stage_id, count(*)::int AS n FROM read.stage_stays
       WHERE pipeline_id = $1 AND entered_at >= $2 AND entered_at < $3 AND ($4::uuid IS NULL OR owner_id = $4::uuid) GROUP BY 1, 2`,
      params,
    );
    const lengths = await s.pool.query<{ stage_id: string; median: number; p90: number }>(
      `SELECT stage_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', left_at - entered_at))::float8 / 86400 AS median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY date_part('epoch', left_at - entered_at))::float8 / 86400 AS p90
       FROM read.stage_stays WHERE pipeline_id = $1 AND left_at >= $2 AND left_at < $3 AND ($4::uuid IS NULL OR owner_id = $4::uuid) GROUP BY stage_id`,
      params,
    );
    return { cohort: cohort.rows, pairs: pairs.rows, lengths: new Map(lengths.rows.map((r) => [r.stage_id, r])) };
  }

  const windows: [string, (r: string[]) => { from?: string; to?: string; ownerId?: string }][] = [
    ['all of it', () => ({ from: new Date(START - DAY).toISOString(), to: new Date(END + 30 * DAY).toISOString() })],
    ['a past month (reach cut at its end)', () => ({ from: new Date(START + 10 * DAY).toISOString(), to: new Date(START + 40 * DAY).toISOString() })],
    ['one owner', (r) => ({ from: new Date(START - DAY).toISOString(), to: new Date(END + 30 * DAY).toISOString(), ownerId: r[1] })],
    ['mid-day bounds (widened to whole days)', () => ({ from: new Date(START + 5 * DAY + 7 * 3_600_000).toISOString(), to: new Date(START + 20 * DAY + 3 * 3_600_000).toISOString() })],
  ];

  for (const [name, window] of windows) {
    it(`over ${name}`, async () => {
      const w = window(reps);
      const qs = new URLSearchParams(Object.entries(w).filter(([, v]) => v) as [string, string][]).toString();
      const res = await s.api<ConversionRates>('GET', `/api/pipeline/conversion-rates?${qs}`, admin);
      expect(res.status).toBe(200);
      const got = res.body;
      // The answered window is whole UTC days around the requested one.
      expect(Date.parse(got.from) % DAY).toBe(0);
      expect(Date.parse(got.to) % DAY).toBe(0);
      expect(Date.parse(got.from)).toBeLessThanOrEqual(Date.parse(w.from!));
      expect(Date.parse(got.to)).toBeGreaterThanOrEqual(Date.parse(w.to!));
      const ref = await reference(got.from, got.to, w.ownerId ?? null);
      expect(got.cohort).toBe(ref.cohort.length);
      expect(got.cohort).toBeGreaterThan(0);

      const ordered = [...stages].sort((a, b) => Number(a.isLost) - Number(b.isLost) || Number(a.isWon) - Number(b.isWon) || a.orderPosition - b.orderPosition);
      const pos = (x: StageDto) => (x.isWon ? 1_000_000 : x.orderPosition);
      for (const st of ordered) {
        const g = got.stages.find((x) => x.stageId === st.id)!;
        const entries = ref.pairs.filter((p) => p.stage_id === st.id).reduce((n, p) => n + p.n, 0);
        expect(g.entries, `${st.name} entries`).toBe(entries);
        if (!st.isLost) expect(g.reached, `${st.name} reached`).toBe(ref.cohort.filter((c) => c.furthest !== null && c.furthest >= pos(st)).length);
        const exact = ref.lengths.get(st.id);
        if (!exact) expect(g.medianDays).toBeNull();
        else {
          // Histogram percentiles: within 2.6% of the exact ones, then rounded to a tenth of a day.
          expect(Math.abs(g.medianDays! - exact.median), `${st.name} median`).toBeLessThanOrEqual(exact.median * 0.026 + 0.05 + 1e-9);
          expect(Math.abs(g.p90Days! - exact.p90), `${st.name} p90`).toBeLessThanOrEqual(exact.p90 * 0.026 + 0.05 + 1e-9);
        }
      }
      const won = ref.pairs.filter((p) => stages.find((x) => x.id === p.stage_id)?.isWon).reduce((n, p) => n + p.n, 0);
      const lost = ref.pairs.filter((p) => stages.find((x) => x.id === p.stage_id)?.isLost).reduce((n, p) => n + p.n, 0);
      expect({ won: got.won, lost: got.lost }).toEqual({ won, lost });
      expect(got.won + got.lost).toBeGreaterThan(0);
      const transitions = ref.pairs
        .filter((p) => p.from_stage_id !== null)
        .map((p) => `${p.from_stage_id}>${p.stage_id}:${p.n}`)
        .sort();
      expect(got.transitions.map((t) => `${t.fromStageId}>${t.toStageId}:${t.count}`).sort()).toEqual(transitions);
    });
  }

  it('answers the widest windows a date can name, and refuses an inverted one', async () => {
    const widest = await s.api<ConversionRates>('GET', `/api/pipeline/conversion-rates?from=0000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z`, admin);
    expect(widest.status).toBe(200);
    expect(widest.body).toMatchObject({ from: '0001-01-01T00:00:00.000Z', to: '9999-12-31T00:00:00.000Z' });
    expect(widest.body.cohort).toBe(400);
    const inverted = await s.api<{ errors: { field: string }[] }>('GET', `/api/pipeline/conversion-rates?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`, admin);
    expect(inverted.status).toBe(400);
    expect(inverted.body.errors.map((e) => e.field)).toEqual(['querystring.from']);
  });
});
