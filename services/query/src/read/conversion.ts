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
  const owned = `($4::uuid IS NULL OR ss.owner_id = $4::uuid)`;
  const inWindow = `ss.entered_at >= $2::timestamptz AND ${owned}`;
  const pos = `CASE WHEN st.is_won THEN ${WON_POSITION} ELSE st.order_position END`;
  // Three passes over the stays instead of one per figure: per lead (cohort, furthest stage, won,
  // lost), per (from, to) pair in the window (entries, backward entries, lost-from, transitions)
  // and the durations of the stays that ended in the window (date_part: a float8 sort, where
  // extract gives numeric; ~1.5x faster at 278k stays, same figures to the day's tenth).
  const [stages, perLead, pairs, durations] = await Promise.all([
    pool.query<{ id: string; name: string; is_won: boolean; is_lost: boolean; order_position: number }>(
      'SELECT id, name, is_won, is_lost, order_position FROM read.stages WHERE pipeline_id = $1::uuid ORDER BY is_lost, is_won, order_position, id',
      [w.pipelineId],
    ),
    pool.query<{ pos: number | null; leads: number; won: number; lost: number }>(
      `WITH st AS (SELECT id, order_position, is_won, is_lost FROM read.stages WHERE pipeline_id = $1::uuid),
       win AS (
         SELECT ss.lead_id, bool_or(${owned}) AS in_cohort, bool_or(${owned} AND st.is_won) AS won, bool_or(${owned} AND st.is_lost) AS lost
         FROM read.stage_stays ss LEFT JOIN st ON st.id = ss.stage_id
         WHERE ss.pipeline_id = $1::uuid AND ss.entered_at >= $2::timestamptz AND ss.entered_at < $3::timestamptz GROUP BY ss.lead_id),
       furthest AS (
         SELECT ss.lead_id, max(${pos}) AS pos FROM read.stage_stays ss JOIN win ON win.lead_id = ss.lead_id AND win.in_cohort JOIN st ON st.id = ss.stage_id AND NOT st.is_lost
         WHERE ss.entered_at < $3::timestamptz GROUP BY ss.lead_id),
       lead AS (SELECT win.*, furthest.pos FROM win LEFT JOIN furthest ON furthest.lead_id = win.lead_id)
       SELECT pos, count(*) FILTER (WHERE in_cohort)::int AS leads, count(*) FILTER (WHERE won)::int AS won, count(*) FILTER (WHERE lost)::int AS lost
       FROM lead WHERE in_cohort OR won OR lost GROUP BY pos`,
      params,
    ),
    pool.query<{ from_stage_id: string | null; stage_id: string; count: number }>(
      `SELECT ss.from_stage_id, ss.stage_id, count(*)::int AS count FROM read.stage_stays ss
       WHERE ss.pipeline_id = $1::uuid AND ss.entered_at < $3::timestamptz AND ${inWindow} GROUP BY ss.from_stage_id, ss.stage_id`,
      params,
    ),
    pool.query<{ stage_id: string; median: number | null; p90: number | null }>(
      `SELECT ss.stage_id,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', ss.left_at - ss.entered_at) / 86400.0)::float8 AS median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY date_part('epoch', ss.left_at - ss.entered_at) / 86400.0)::float8 AS p90
       FROM read.stage_stays ss
       WHERE ss.pipeline_id = $1::uuid AND ss.left_at >= $2::timestamptz AND ss.left_at < $3::timestamptz AND ($4::uuid IS NULL OR ss.owner_id = $4::uuid)
       GROUP BY ss.stage_id`,
      params,
    ),
  ]);
  const stageBy = new Map(stages.rows.map((s) => [s.id, s]));
  const position = (s: { is_won: boolean; order_position: number }) => (s.is_won ? WON_POSITION : s.order_position);
  // reached(stage) = cohort leads whose furthest non-lost stage is at or after it.
  const reachedBy = new Map<string, number>();
  let cohort = 0;
  let won = 0;
  let lost = 0;
  for (const r of perLead.rows) {
    cohort += r.leads;
    won += r.won;
    lost += r.lost;
  }
  for (const s of stages.rows) {
    if (s.is_lost) continue;
    reachedBy.set(s.id, perLead.rows.reduce((n, r) => (r.pos !== null && r.pos >= position(s) ? n + r.leads : n), 0));
  }
  const entriesBy = new Map<string, { entries: number; backward: number }>();
  const lostCount = new Map<string, number>();
  const transitionRows: { from_stage_id: string; to_stage_id: string; count: number }[] = [];
  for (const p of pairs.rows) {
    const to = stageBy.get(p.stage_id);
    const from = p.from_stage_id === null ? undefined : stageBy.get(p.from_stage_id);
    if (to) {
      const e = entriesBy.get(p.stage_id) ?? { entries: 0, backward: 0 };
      e.entries += p.count;
      if (from && position(from) > position(to)) e.backward += p.count;
      entriesBy.set(p.stage_id, e);
    }
    if (p.from_stage_id === null) continue;
    if (to?.is_lost) lostCount.set(p.from_stage_id, (lostCount.get(p.from_stage_id) ?? 0) + p.count);
    transitionRows.push({ from_stage_id: p.from_stage_id, to_stage_id: p.stage_id, count: p.count });
  }
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  transitionRows.sort((a, b) => b.count - a.count || byId(a.from_stage_id, b.from_stage_id) || byId(a.to_stage_id, b.to_stage_id));
  const lostFrom = { rows: [...lostCount].map(([stage_id, n]) => ({ stage_id, lost: n })) };
  const transitions = { rows: transitionRows };
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
  const mostLost = [...lostFrom.rows].sort((a, b) => b.lost - a.lost || (a.stage_id < b.stage_id ? -1 : 1))[0];
  return {
    pipelineId: w.pipelineId,
    from: w.from,
    to: w.to,
    ownerId: w.ownerId,
    cohort,
    stages: out,
    won,
    lost,
    winRate: won + lost > 0 ? round(won / (won + lost), 4) : null,
    mostLostStageId: mostLost?.stage_id ?? null,
    transitions: transitions.rows.map((t) => ({ fromStageId: t.from_stage_id, toStageId: t.to_stage_id, count: t.count })),
  };
}
