import { defineProjection, type HandlerContext } from '../../engine/types.ts';
import { parseFieldChange } from '../lead_cards/fields.ts';

/**
 * `read.stage_totals`: count, value and weighted value per stage. It keeps its own copy of what it
 * needs about stages and leads (`stage_totals_stages`, `stage_totals_leads`) so that it rebuilds
 * alone, never reading another projection's tables. Totals change by the lead's contribution
 * (removed before a change, added after), in exact numeric arithmetic, so incremental totals equal
 * totals recomputed from scratch.
 */
export const stageTotalsProjection = defineProjection({
  name: 'stage_totals',
  version: 1,
  eventTypes: ['StageAdded', 'StageUpdated', 'LeadCreated', 'LeadDetailsUpdated', 'LeadMovedToStage', 'LeadDealValueChanged', 'LeadProbabilityChanged'],
  tables: [
    {
      name: 'stage_totals',
      ddl: (t) => `CREATE TABLE ${t} (
        stage_id uuid PRIMARY KEY,
        pipeline_id uuid NOT NULL,
        lead_count integer NOT NULL DEFAULT 0,
        total_value numeric NOT NULL DEFAULT 0,
        weighted_value numeric NOT NULL DEFAULT 0
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (pipeline_id)`],
    },
    {
      name: 'stage_totals_stages',
      ddl: (t) => `CREATE TABLE ${t} (
        stage_id uuid PRIMARY KEY,
        pipeline_id uuid NOT NULL,
        probability integer NOT NULL
      )`,
    },
    {
      name: 'stage_totals_leads',
      ddl: (t) => `CREATE TABLE ${t} (
        lead_id uuid PRIMARY KEY,
        stage_id uuid NOT NULL,
        deal_value numeric(16,2),
        probability integer
      )`,
    },
  ],
  async handle(ctx, event) {
    switch (event.type) {
      case 'StageAdded': {
        const { stageId, pipelineId, probability } = event.data;
        await ctx.flush();
        await ctx.db.query(`INSERT INTO ${ctx.table('stage_totals_stages')} (stage_id, pipeline_id, probability) VALUES ($1, $2, $3)`, [stageId, pipelineId, probability]);
        await ctx.db.query(`INSERT INTO ${ctx.table('stage_totals')} (stage_id, pipeline_id) VALUES ($1, $2)`, [stageId, pipelineId]);
        ctx.changed('stage_totals', stageId);
        return;
      }
      case 'StageUpdated': {
        // A new stage probability re-weighs every lead of the stage that follows it.
        const { stageId, probability } = event.data;
        await ctx.flush();
        await ctx.db.query(`UPDATE ${ctx.table('stage_totals_stages')} SET probability = $2 WHERE stage_id = $1`, [stageId, probability]);
        await ctx.db.query(
          `UPDATE ${ctx.table('stage_totals')} t SET weighted_value = COALESCE((
             SELECT sum(round(COALESCE(l.deal_value, 0) * COALESCE(l.probability, $2) / 100.0, 4)) FROM ${ctx.table('stage_totals_leads')} l WHERE l.stage_id = $1), 0)
           WHERE t.stage_id = $1`,
          [stageId, probability],
        );
        ctx.changed('stage_totals', stageId);
        return;
      }
      case 'LeadDealValueChanged':
      case 'LeadProbabilityChanged': {
        const column = event.type === 'LeadDealValueChanged' ? 'deal_value' : 'probability';
        return changeLead(ctx, event.data.leadId, `${column} = $2`, [event.data.to]);
      }
      case 'LeadCreated': {
        const { leadId, stageId, fields } = event.data;
        const t = ctx.table('stage_totals_leads');
        const { rows } = await ctx.db.query<Share>(
          `WITH l AS (INSERT INTO ${t} (lead_id, stage_id, deal_value, probability) VALUES ($1, $2, $3, $4) RETURNING *)
           SELECT ${share('l', 1)} FROM l LEFT JOIN ${ctx.table('stage_totals_stages')} s ON s.stage_id = l.stage_id`,
          [leadId, stageId, fields.dealValue, fields.probability],
        );
        return addShares(ctx, rows);
      }
      case 'LeadDetailsUpdated': {
        const sets: string[] = [];
        const params: unknown[] = [];
        for (const [field, change] of Object.entries(event.data.changes)) {
          const parsed = parseFieldChange(field, change.to);
          if (parsed.field !== 'dealValue' && parsed.field !== 'probability') continue;
          params.push(parsed.value);
          sets.push(`${parsed.column} = $${params.length + 1}`);
        }
        if (sets.length === 0) return;
        return changeLead(ctx, event.data.leadId, sets.join(', '), params);
      }
      case 'LeadMovedToStage': {
        const { leadId, fromStageId, toStageId } = event.data;
        if (fromStageId === toStageId) return;
        return changeLead(ctx, leadId, 'stage_id = $2', [toStageId]);
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});

/** One lead's share of its stage's totals, added (sign 1) or removed (sign -1); numerics as exact strings. */
type Share = { stage_id: string; n: number; total: string; weighted: string };

const share = (l: string, sign: 1 | -1) =>
  `${l}.stage_id, ${sign}::int AS n, ${sign}::int * COALESCE(${l}.deal_value, 0) AS total,
   ${sign}::int * round(COALESCE(${l}.deal_value, 0) * COALESCE(${l}.probability, s.probability, 0) / 100.0, 4) AS weighted`;

/**
 * Changes a lead's row and removes its old share / adds its new one, in one statement: `sets` are
 * assignments with $2... `params` ($1 is the lead id). The shares are summed per batch (below).
 */
async function changeLead(ctx: HandlerContext, leadId: string, sets: string, params: unknown[]): Promise<void> {
  const t = ctx.table('stage_totals_leads');
  const stages = ctx.table('stage_totals_stages');
  const { rows } = await ctx.db.query<Share>(
    `WITH old AS (SELECT * FROM ${t} WHERE lead_id = $1),
          new AS (UPDATE ${t} SET ${sets} WHERE lead_id = $1 RETURNING *)
     SELECT ${share('old', -1)} FROM old LEFT JOIN ${stages} s ON s.stage_id = old.stage_id
     UNION ALL
     SELECT ${share('new', 1)} FROM new LEFT JOIN ${stages} s ON s.stage_id = new.stage_id`,
    [leadId, ...params],
  );
  addShares(ctx, rows);
}

/**
 * Shares are kept per batch and written once per batch, summed per stage in exact numeric
 * arithmetic (so the totals equal the per-event sums; every share takes part, so the scale does
 * too). Stage events flush them first: a new stage probability recomputes a stage's weight.
 */
function addShares(ctx: HandlerContext, rows: Share[]): void {
  const pending = ctx.deferred<Share[]>('stage_totals shares', () => [], flushShares);
  for (const row of rows) pending.push(row);
}

async function flushShares(ctx: HandlerContext, shares: Share[]): Promise<void> {
  if (shares.length === 0) return;
  const { rows } = await ctx.db.query<{ stage_id: string }>(
    `UPDATE ${ctx.table('stage_totals')} t SET
       lead_count = t.lead_count + d.n, total_value = t.total_value + d.total, weighted_value = t.weighted_value + d.weighted
     FROM (SELECT stage_id, sum(n)::int AS n, sum(total) AS total, sum(weighted) AS weighted
           FROM unnest($1::uuid[], $2::int[], $3::numeric[], $4::numeric[]) AS x(stage_id, n, total, weighted) GROUP BY stage_id) d
     WHERE t.stage_id = d.stage_id
     RETURNING t.stage_id`,
    [shares.map((s) => s.stage_id), shares.map((s) => s.n), shares.map((s) => s.total), shares.map((s) => s.weighted)],
  );
  for (const row of rows) ctx.changed('stage_totals', row.stage_id);
}
