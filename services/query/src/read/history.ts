import type { BoardColumn, OverviewStage, PipelineDto } from '@leadline/contracts';
import type pg from 'pg';
import { toLeadCard, toStageDto, type CardRow, type StageRow } from './rows.ts';
import { visibilitySql, type Scope } from './visibility.ts';
import { stageTotals, type StageTotals } from './pipeline.ts';

/** The stage versions valid at `at` that were not deleted by then. */
const STAGES_AT = `SELECT sv.stage_id AS id, sv.pipeline_id, sv.name, sv.color, sv.order_position, sv.is_active, sv.is_won, sv.is_lost, sv.probability, sv.rotting_days
  FROM read.stage_versions sv
  WHERE sv.pipeline_id = $1::uuid AND sv.valid_from <= $2::timestamptz AND (sv.valid_to IS NULL OR sv.valid_to > $2::timestamptz) AND NOT sv.deleted`;

/** Lead versions valid at $2, aliased `l` (so that visibilitySql applies: the owner at that time). */
const VALID_AT = `l.valid_from <= $2::timestamptz AND (l.valid_to IS NULL OR l.valid_to > $2::timestamptz)`;
const LEADS_AT = `read.lead_versions l WHERE ${VALID_AT}`;
/**
 * When a past lead version `l` was last touched by $2: its own last change, or an activity logged
 * (or completed, at its recorded completion time) on the lead by then; deleted ones included, as
 * they were touches when they happened. The live read model keeps the same as read.leads.touched_at.
 */
const TOUCHED_AT = `GREATEST(l.touched_at, (SELECT max(GREATEST(a.created_at, CASE WHEN a.completed_at <= $2::timestamptz THEN a.completed_at END))
  FROM read.activities a WHERE a.lead_id = l.lead_id AND a.created_at <= $2::timestamptz))`;

export async function listPipelines(pool: pg.Pool): Promise<PipelineDto[]> {
  const { rows } = await pool.query<{ id: string; name: string; is_default: boolean; is_archived: boolean; lost_reasons: string[]; allow_free_text_lost_reason: boolean; version: number; created_at: Date }>(
    'SELECT * FROM read.pipelines ORDER BY is_default DESC, is_archived, name, id',
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    isDefault: r.is_default,
    isArchived: r.is_archived,
    lostReasons: r.lost_reasons,
    allowFreeTextLostReason: r.allow_free_text_lost_reason,
    version: Number(r.version),
    createdAt: r.created_at.toISOString(),
  }));
}

/** The board as it stood at `at`: stages and cards from the recorded history; the first `limit` cards of each column. */
export async function boardAt(pool: pg.Pool, scope: Scope, pipelineId: string, at: string, limit: number): Promise<BoardColumn[]> {
  const stages = (await pool.query<StageRow>(`${STAGES_AT} ORDER BY sv.order_position, sv.stage_id`, [pipelineId, at])).rows;
  if (stages.length === 0) return [];
  const params: unknown[] = [pipelineId, at, limit];
  const visible = visibilitySql(scope, 'l', params);
  const totalParams: unknown[] = [pipelineId, at];
  const visibleTotals = visibilitySql(scope, 'l', totalParams);
  const [cards, totals] = await Promise.all([
    pool.query<CardRow>(
      `SELECT c.*, u.name AS owner_name FROM (${STAGES_AT}) s
       CROSS JOIN LATERAL (
         SELECT l.lead_id AS id, l.pipeline_id, l.stage_id, l.rank, l.first_name, l.last_name, l.company, l.deal_value, l.owner_id, l.version, l.valid_from AS updated_at, ${TOUCHED_AT} AS touched_at
         FROM ${LEADS_AT} AND l.stage_id = s.id AND ${visible}
         ORDER BY l.rank COLLATE "C", l.lead_id LIMIT $3
       ) c LEFT JOIN read.users u ON u.id = c.owner_id`,
      params,
    ),
    pool.query<{ stage_id: string; count: number; total: string; weighted: string }>(
      `SELECT l.stage_id, count(*)::int AS count, COALESCE(sum(l.deal_value), 0) AS total,
         round(COALESCE(sum(l.deal_value * COALESCE(l.probability, s.probability) / 100.0), 0), 2) AS weighted
       FROM read.lead_versions l JOIN (${STAGES_AT}) s ON s.id = l.stage_id
       WHERE ${VALID_AT} AND l.pipeline_id = $1::uuid AND ${visibleTotals}
       GROUP BY l.stage_id`,
      totalParams,
    ),
  ]);
  const byStage = new Map<string, CardRow[]>();
  for (const row of cards.rows) byStage.set(row.stage_id, [...(byStage.get(row.stage_id) ?? []), row]);
  const totalsByStage = new Map(totals.rows.map((t) => [t.stage_id, t]));
  return stages.map((s) => {
    const rows = (byStage.get(s.id) ?? []).sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id < b.id ? -1 : 1));
    const t = totalsByStage.get(s.id);
    return {
      ...toStageDto(s),
      count: t?.count ?? 0,
      totalValue: Number(t?.total ?? 0),
      weightedValue: Number(t?.weighted ?? 0),
      cards: rows.map(toLeadCard),
      nextCursor: null,
    };
  });
}

type AgeRow = { stage_id: string; count: number; total: string; weighted: string; avg_days: number | null; median_days: number | null; rotting: number };

// count(*) rather than count(l.*) (the join is inner: same number, without building a row value per
// lead), and date_part (float8) rather than extract (numeric since PostgreSQL 14) for the ages: the
// sort behind the median is over floats. 100,000 leads: 250-320 ms → ~115 ms (docs/performance.md).
const AGE_COLUMNS = (entered: string, touched: string) => `
  count(*)::int AS count,
  COALESCE(sum(l.deal_value), 0) AS total,
  round(COALESCE(sum(l.deal_value * COALESCE(l.probability, s.probability) / 100.0), 0), 2) AS weighted,
  avg(date_part('epoch', $2::timestamptz - ${entered}) / 86400.0)::float8 AS avg_days,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', $2::timestamptz - ${entered}) / 86400.0)::float8 AS median_days,
  (count(*) FILTER (WHERE s.rotting_days IS NOT NULL AND ${touched} < $2::timestamptz - s.rotting_days * interval '1 day'))::int AS rotting`;

const toOverviewStage = (s: StageRow, age: AgeRow | undefined, totals?: StageTotals): OverviewStage => ({
  stageId: s.id,
  name: s.name,
  color: s.color,
  isWon: s.is_won,
  isLost: s.is_lost,
  probability: Number(s.probability),
  rottingDays: s.rotting_days === null ? null : Number(s.rotting_days),
  count: totals?.count ?? age?.count ?? 0,
  totalValue: totals?.totalValue ?? Number(age?.total ?? 0),
  weightedValue: totals?.weightedValue ?? Number(age?.weighted ?? 0),
  avgAgeDays: age?.avg_days == null ? null : Math.round(age.avg_days * 10) / 10,
  medianAgeDays: age?.median_days == null ? null : Math.round(age.median_days * 10) / 10,
  // Won and lost leads are closed: they do not rot.
  rottingCount: s.is_won || s.is_lost ? 0 : (age?.rotting ?? 0),
});

/**
 * Now: counts and sums as the board shows them, ages and rotting from `read.leads` (a lead is
 * touched by any event on its stream and by activities logged or completed on it: `touched_at`).
 * Everyone who sees all leads gets one statement that works per stage through the indexes; a rep who
 * sees only their own and unassigned leads keeps the GROUP BY over those (a bitmap scan of the
 * (owner_id) index).
 */
export async function overviewNow(pool: pg.Pool, scope: Scope, pipelineId: string, now: string): Promise<OverviewStage[]> {
  return scope.kind === 'all'
    ? overviewPerStage(pool, pipelineId, now)
    : overviewGrouped(pool, scope, pipelineId, now, await stageTotals(pool, scope, { pipelineIds: [pipelineId] }));
}

/** One GROUP BY over every visible lead of the pipeline (percentile_cont sorts each stage's ages). */
export async function overviewGrouped(pool: pg.Pool, scope: Scope, pipelineId: string, now: string, totals: StageTotals[]): Promise<OverviewStage[]> {
  const stages = (await pool.query<StageRow>(`SELECT s.* FROM read.stages s WHERE s.pipeline_id = $1::uuid ORDER BY s.order_position, s.id`, [pipelineId])).rows;
  const params: unknown[] = [pipelineId, now];
  const visible = visibilitySql(scope, 'l', params);
  const ages = await pool.query<AgeRow>(
    `SELECT s.id AS stage_id, ${AGE_COLUMNS('l.stage_entered_at', 'l.touched_at')}
     FROM read.stages s JOIN read.leads l ON l.stage_id = s.id AND ${visible}
     WHERE s.pipeline_id = $1::uuid GROUP BY s.id`,
    params,
  );
  const ageByStage = new Map(ages.rows.map((a) => [a.stage_id, a]));
  const totalsByStage = new Map(totals.map((t) => [t.stageId, t]));
  return stages.map((s) => toOverviewStage(s, ageByStage.get(s.id), totalsByStage.get(s.id)));
}

const AGE = `date_part('epoch', $2::timestamptz - l.stage_entered_at) / 86400.0`;

/**
 * The same figures for all leads without sorting a stage: per stage, the count and the average age
 * over the (stage_id, stage_entered_at) index, the median as the one or two middle entries of that
 * index (interpolated as percentile_cont does: lower + 0.5 × (upper − lower)), the rotting leads as
 * a range of the (stage_id, touched_at) index. n comes from the same statement, hence the same
 * snapshot, as the median's offset; counts and sums from stage_totals, as the board shows them.
 */
export async function overviewPerStage(pool: pg.Pool, pipelineId: string, now: string): Promise<OverviewStage[]> {
  const rows = await perStageRows(pool, pipelineId, now);
  return rows.map((row) => toOverviewStage(row, row, { stageId: row.id, name: row.name, count: row.totals_count, totalValue: Number(row.total), weightedValue: Number(row.weighted) }));
}

/** overviewPerStage's rows, before rounding (its test compares them with avg and percentile_cont). */
export async function perStageRows(pool: pg.Pool, pipelineId: string, now: string): Promise<Array<StageRow & AgeRow & { totals_count: number }>> {
  const { rows } = await pool.query<StageRow & AgeRow & { totals_count: number }>(
    `SELECT s.*, s.id AS stage_id, COALESCE(t.lead_count, 0)::int AS totals_count, COALESCE(t.total_value, 0) AS total, COALESCE(t.weighted_value, 0) AS weighted,
       a.count, a.avg_days, m.median_days, r.rotting
     FROM read.stages s
     LEFT JOIN read.stage_totals t ON t.stage_id = s.id
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS count, avg(${AGE})::float8 AS avg_days FROM read.leads l WHERE l.stage_id = s.id
     ) a
     CROSS JOIN LATERAL (
       SELECT (min(age) + 0.5 * (max(age) - min(age)))::float8 AS median_days FROM (
         SELECT ${AGE} AS age FROM read.leads l WHERE l.stage_id = s.id
         ORDER BY l.stage_entered_at OFFSET (a.count - 1) / 2 LIMIT 2 - a.count % 2
       ) middle
     ) m
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS rotting FROM read.leads l
       WHERE s.rotting_days IS NOT NULL AND NOT s.is_won AND NOT s.is_lost
         AND l.stage_id = s.id AND l.touched_at < $2::timestamptz - s.rotting_days * interval '1 day'
     ) r
     WHERE s.pipeline_id = $1::uuid
     ORDER BY s.order_position, s.id`,
    [pipelineId, now],
  );
  return rows;
}

/** At a past moment: everything from the recorded history (stage settings, values and probabilities as they were then). */
export async function overviewAt(pool: pg.Pool, scope: Scope, pipelineId: string, at: string): Promise<OverviewStage[]> {
  const stages = (await pool.query<StageRow>(`${STAGES_AT} ORDER BY sv.order_position, sv.stage_id`, [pipelineId, at])).rows;
  const params: unknown[] = [pipelineId, at];
  const visible = visibilitySql(scope, 'l', params);
  const ages = await pool.query<AgeRow>(
    `SELECT s.id AS stage_id, ${AGE_COLUMNS('l.stage_entered_at', TOUCHED_AT)}
     FROM (${STAGES_AT}) s JOIN read.lead_versions l ON ${VALID_AT} AND l.stage_id = s.id AND ${visible}
     GROUP BY s.id`,
    params,
  );
  const ageByStage = new Map(ages.rows.map((a) => [a.stage_id, a]));
  return stages.map((s) => toOverviewStage(s, ageByStage.get(s.id)));
}
