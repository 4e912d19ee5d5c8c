import type { ConversionRates } from '@leadline/contracts';
import type pg from 'pg';

/** Where a won stage sits when stages are compared: after every open stage. */
const WON_POSITION = 1_000_000;

type Window = { pipelineId: string; from: string; to: string; ownerId: string | null };

/**
 * Stage-to-stage conversion from the recorded stays (`read.stage_stays`), as documented in
 * docs/pipelines.md: the cohort is every lead that entered a stage of the pipeline within
 * [from, to); a lead "reached" a stage when by `to` it had entered that stage or any later open
 * or won one (so a skip passes through the skipped stages, and a step back never un-reaches
 * anything). Stage order and kinds are today's.
 */
export async function conversionRates(pool: pg.Pool, w: Window): Promise<Omit<ConversionRates, 'checkpoint' | 'stale'>> {
  const params = [w.pipelineId, w.from, w.to, w.ownerId];
  const inWindow = `ss.pipeline_id = $1::uuid AND ss.entered_at >= $2::timestamptz AND ss.entered_at < $3::timestamptz AND ($4::uuid IS NULL OR ss.owner_id = $4::uuid)`;
  const pos = `CASE WHEN st.is_won THEN ${WON_POSITION} ELSE st.order_position END`;
  const [stages, reached, entries, durations, lostFrom, closed, transitions] = await Promise.all([
    pool.query<{ id: string; name: string; is_won: boolean; is_lost: boolean; order_position: number }>(
      'SELECT id, name, is_won, is_lost, order_position FROM read.stages WHERE pipeline_id = $1::uuid ORDER BY is_lost, is_won, order_position, id',
      [w.pipelineId],
    ),
    pool.query<{ stage_id: string; reached: number; cohort: number }>(
      `WITH st AS (SELECT id, order_position, is_won, is_lost FROM read.stages WHERE pipeline_id = $1::uuid),
       cohort AS (SELECT DISTINCT ss.lead_id FROM read.stage_stays ss WHERE ${inWindow}),
       furthest AS (
         SELECT ss.lead_id, max(${pos}) AS pos FROM read.stage_stays ss JOIN cohort c ON c.lead_id = ss.lead_id JOIN st ON st.id = ss.stage_id AND NOT st.is_lost
         WHERE ss.entered_at < $3::timestamptz GROUP BY ss.lead_id)
       SELECT st.id AS stage_id, (SELECT count(*) FROM furthest f WHERE f.pos >= ${pos})::int AS reached, (SELECT count(*) FROM cohort)::int AS cohort
       FROM st WHERE NOT st.is_lost`,
      params,
    ),
    pool.query<{ stage_id: string; entries: number; backward: number }>(
      `SELECT ss.stage_id, count(*)::int AS entries,
         (count(*) FILTER (WHERE fs.id IS NOT NULL AND ${pos.replaceAll('st.', 'fs.')} > ${pos}))::int AS backward
       FROM read.stage_stays ss JOIN read.stages st ON st.id = ss.stage_id LEFT JOIN read.stages fs ON fs.id = ss.from_stage_id
       WHERE ${inWindow} GROUP BY ss.stage_id`,
      params,
    ),
    pool.query<{ stage_id: string; median: number | null; p90: number | null }>(
      `SELECT ss.stage_id,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ss.left_at - ss.entered_at) / 86400.0)::float8 AS median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM ss.left_at - ss.entered_at) / 86400.0)::float8 AS p90
       FROM read.stage_stays ss
       WHERE ss.pipeline_id = $1::uuid AND ss.left_at >= $2::timestamptz AND ss.left_at < $3::timestamptz AND ($4::uuid IS NULL OR ss.owner_id = $4::uuid)
       GROUP BY ss.stage_id`,
      params,
    ),
    pool.query<{ stage_id: string; lost: number }>(
      `SELECT ss.from_stage_id AS stage_id, count(*)::int AS lost FROM read.stage_stays ss JOIN read.stages st ON st.id = ss.stage_id AND st.is_lost
       WHERE ${inWindow} AND ss.from_stage_id IS NOT NULL GROUP BY ss.from_stage_id`,
      params,
    ),
    pool.query<{ won: number; lost: number }>(
      `SELECT (count(DISTINCT ss.lead_id) FILTER (WHERE st.is_won))::int AS won, (count(DISTINCT ss.lead_id) FILTER (WHERE st.is_lost))::int AS lost
       FROM read.stage_stays ss JOIN read.stages st ON st.id = ss.stage_id WHERE ${inWindow}`,
      params,
    ),
    pool.query<{ from_stage_id: string; to_stage_id: string; count: number }>(
      `SELECT ss.from_stage_id, ss.stage_id AS to_stage_id, count(*)::int AS count FROM read.stage_stays ss
       WHERE ${inWindow} AND ss.from_stage_id IS NOT NULL GROUP BY ss.from_stage_id, ss.stage_id ORDER BY count DESC, 1, 2`,
      params,
    ),
  ]);
  const reachedBy = new Map(reached.rows.map((r) => [r.stage_id, r.reached]));
  const entriesBy = new Map(entries.rows.map((r) => [r.stage_id, r]));
  const durationsBy = new Map(durations.rows.map((r) => [r.stage_id, r]));
  const lostBy = new Map(lostFrom.rows.map((r) => [r.stage_id, r.lost]));
  const funnel = stages.rows.filter((s) => !s.is_lost);
  const round = (n: number | null | undefined, digits = 1) => (n == null ? null : Math.round(n * 10 ** digits) / 10 ** digits);
  const out = stages.rows.map((s) => {
    const i = funnel.findIndex((f) => f.id === s.id);
    const next = i >= 0 && !s.is_won ? funnel[i + 1] : undefined;
    const here = reachedBy.get(s.id) ?? 0;
    return {
      stageId: s.id,
      name: s.name,
      isWon: s.is_won,
      isLost: s.is_lost,
      reached: s.is_lost ? (entriesBy.get(s.id)?.entries ?? 0) : here,
      conversionToNext: next && here > 0 ? round((reachedBy.get(next.id) ?? 0) / here, 4) : null,
      entries: entriesBy.get(s.id)?.entries ?? 0,
      backwardEntries: entriesBy.get(s.id)?.backward ?? 0,
      medianDays: round(durationsBy.get(s.id)?.median),
      p90Days: round(durationsBy.get(s.id)?.p90),
      lostFrom: lostBy.get(s.id) ?? 0,
    };
  });
  const { won, lost } = closed.rows[0] ?? { won: 0, lost: 0 };
  const mostLost = [...lostFrom.rows].sort((a, b) => b.lost - a.lost || (a.stage_id < b.stage_id ? -1 : 1))[0];
  return {
    pipelineId: w.pipelineId,
    from: w.from,
    to: w.to,
    ownerId: w.ownerId,
    cohort: reached.rows[0]?.cohort ?? 0,
    stages: out,
    won,
    lost,
    winRate: won + lost > 0 ? round(won / (won + lost), 4) : null,
    mostLostStageId: mostLost?.stage_id ?? null,
    transitions: transitions.rows.map((t) => ({ fromStageId: t.from_stage_id, toStageId: t.to_stage_id, count: t.count })),
  };
}
