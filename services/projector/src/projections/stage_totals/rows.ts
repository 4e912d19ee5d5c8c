import type { HandlerContext } from '../../engine/types.ts';
import type { LeadRow, Share, StageRow, StageTotalsState } from './fold.ts';

export async function readLeads(ctx: HandlerContext, ids: string[]): Promise<Map<string, LeadRow>> {
  const leads = new Map<string, LeadRow>();
  if (ids.length === 0) return leads;
  const { rows } = await ctx.db.query<LeadRow & { lead_id: string }>(
    `SELECT lead_id, stage_id, deal_value::text AS deal_value, probability FROM ${ctx.table('stage_totals_leads')} WHERE lead_id = ANY($1::uuid[])`,
    [ids],
  );
  for (const { lead_id, ...row } of rows) leads.set(lead_id, row);
  return leads;
}

export async function readStages(ctx: HandlerContext, ids: string[]): Promise<Map<string, StageRow>> {
  const stages = new Map<string, StageRow>();
  if (ids.length === 0) return stages;
  const { rows } = await ctx.db.query<StageRow & { stage_id: string }>(
    `SELECT stage_id, pipeline_id, probability FROM ${ctx.table('stage_totals_stages')} WHERE stage_id = ANY($1::uuid[])`,
    [ids],
  );
  for (const { stage_id, ...row } of rows) stages.set(stage_id, row);
  return stages;
}

export async function writeStages(ctx: HandlerContext, state: StageTotalsState): Promise<void> {
  if (state.touchedStages.size === 0) return;
  const ids = [...state.touchedStages];
  const rows = ids.map((stageId) => state.stages.get(stageId)!);
  await ctx.db.query(
    `INSERT INTO ${ctx.table('stage_totals_stages')} (stage_id, pipeline_id, probability) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[])
     ON CONFLICT (stage_id) DO UPDATE SET probability = EXCLUDED.probability`,
    [ids, rows.map((r) => r.pipeline_id), rows.map((r) => r.probability)],
  );
}

export async function writeLeads(ctx: HandlerContext, state: StageTotalsState): Promise<void> {
  if (state.touchedLeads.size === 0) return;
  const ids = [...state.touchedLeads];
  const rows = ids.map((leadId) => state.leads.get(leadId)!);
  await ctx.db.query(
    `INSERT INTO ${ctx.table('stage_totals_leads')} (lead_id, stage_id, deal_value, probability)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::numeric[], $4::int[])
     ON CONFLICT (lead_id) DO UPDATE SET stage_id = EXCLUDED.stage_id, deal_value = EXCLUDED.deal_value, probability = EXCLUDED.probability`,
    [ids, rows.map((r) => r.stage_id), rows.map((r) => r.deal_value), rows.map((r) => r.probability)],
  );
}

/**
 * One statement for every stage the batch changed: a share is `n * deal_value` and
 * `n * round(deal_value * probability / 100.0, 4)` exactly as the per-event handler computed it
 * (deal_value as numeric(16,2), the scale it is stored with), summed per stage. A re-weighed
 * stage's weighted value is the sum over its leads at its last StageUpdated (the stored ones the
 * batch does not touch, and the others as the fold had them then) plus the shares after it. New stages are inserted with what the per-event handler would have added to zeros.
 */
export async function writeTotals(ctx: HandlerContext, state: StageTotalsState): Promise<void> {
  const { totals } = state;
  if (totals.size === 0) return;
  const shares: Share[] = [...totals.values()].flatMap((ops) => ops.shares);
  const stageIds = [...totals.keys()];
  const reweighed = [...totals.values()].some((ops) => ops.reweighed !== null);
  const t = ctx.table('stage_totals');
  const sum = (expr: string, phases: string) => `COALESCE((SELECT sum(${expr}) FROM sh WHERE sh.stage_id = st.stage_id AND sh.phase ${phases}), 0)`;
  await ctx.db.query(
    `WITH sh AS (
       SELECT x.stage_id, x.phase, x.n, x.n * COALESCE(x.dv::numeric(16,2), 0) AS total,
              x.n * round(COALESCE(x.dv::numeric(16,2), 0) * x.prob / 100.0, 4) AS weighted
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::text[], $5::int[]) AS x(stage_id, phase, n, dv, prob)
     ),
     st AS (SELECT * FROM unnest($6::uuid[], $7::boolean[], $8::int[], $9::uuid[]) AS s(stage_id, added, reweighed, pipeline_id)),
     w AS (
       SELECT st.stage_id, st.added, st.pipeline_id, ${sum('sh.n', '< 2')}::int AS n, ${sum('sh.total', '< 2')} AS total, ${sum('sh.weighted', '= 0')} AS weighted,
         CASE WHEN st.reweighed IS NOT NULL THEN COALESCE((SELECT sum(u.w) FROM (
           SELECT round(COALESCE(l.deal_value, 0) * COALESCE(l.probability, st.reweighed) / 100.0, 4) AS w
           FROM ${ctx.table('stage_totals_leads')} l WHERE l.stage_id = st.stage_id AND NOT (l.lead_id = ANY($10::uuid[]))
           UNION ALL SELECT sh.weighted FROM sh WHERE sh.stage_id = st.stage_id AND sh.phase = 2) u), 0) END AS base
       FROM st
     ),
     added AS (
       INSERT INTO ${t} (stage_id, pipeline_id, lead_count, total_value, weighted_value)
       SELECT w.stage_id, w.pipeline_id, 0 + w.n, 0 + w.total, COALESCE(w.base, 0) + w.weighted FROM w WHERE w.added
     )
     UPDATE ${t} t SET lead_count = t.lead_count + w.n, total_value = t.total_value + w.total, weighted_value = COALESCE(w.base, t.weighted_value) + w.weighted
     FROM w WHERE NOT w.added AND t.stage_id = w.stage_id`,
    [
      shares.map((s) => s.stage_id), shares.map((s) => s.phase), shares.map((s) => s.n), shares.map((s) => s.deal_value), shares.map((s) => s.probability),
      stageIds, stageIds.map((s) => totals.get(s)!.added), stageIds.map((s) => totals.get(s)!.reweighed), stageIds.map((s) => state.stages.get(s)!.pipeline_id),
      reweighed ? [...state.leads.keys()] : [],
    ],
  );
}
