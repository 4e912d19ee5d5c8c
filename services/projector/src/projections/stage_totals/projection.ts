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
        await ctx.db.query(`INSERT INTO ${ctx.table('stage_totals_stages')} (stage_id, pipeline_id, probability) VALUES ($1, $2, $3)`, [stageId, pipelineId, probability]);
        await ctx.db.query(`INSERT INTO ${ctx.table('stage_totals')} (stage_id, pipeline_id) VALUES ($1, $2)`, [stageId, pipelineId]);
        ctx.changed('stage_totals', stageId);
        return;
      }
      case 'StageUpdated': {
        // A new stage probability re-weighs every lead of the stage that follows it.
        const { stageId, probability } = event.data;
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
        await contribute(ctx, event.data.leadId, -1);
        await ctx.db.query(`UPDATE ${ctx.table('stage_totals_leads')} SET ${column} = $2 WHERE lead_id = $1`, [event.data.leadId, event.data.to]);
        await contribute(ctx, event.data.leadId, 1);
        return;
      }
      case 'LeadCreated': {
        const { leadId, stageId, fields } = event.data;
        await ctx.db.query(`INSERT INTO ${ctx.table('stage_totals_leads')} (lead_id, stage_id, deal_value, probability) VALUES ($1, $2, $3, $4)`, [
          leadId,
          stageId,
          fields.dealValue,
          fields.probability,
        ]);
        await contribute(ctx, leadId, 1);
        return;
      }
      case 'LeadDetailsUpdated': {
        const sets: string[] = [];
        const params: unknown[] = [event.data.leadId];
        for (const [field, change] of Object.entries(event.data.changes)) {
          const parsed = parseFieldChange(field, change.to);
          if (parsed.field !== 'dealValue' && parsed.field !== 'probability') continue;
          params.push(parsed.value);
          sets.push(`${parsed.column} = $${params.length}`);
        }
        if (sets.length === 0) return;
        await contribute(ctx, event.data.leadId, -1);
        await ctx.db.query(`UPDATE ${ctx.table('stage_totals_leads')} SET ${sets.join(', ')} WHERE lead_id = $1`, params);
        await contribute(ctx, event.data.leadId, 1);
        return;
      }
      case 'LeadMovedToStage': {
        const { leadId, fromStageId, toStageId } = event.data;
        if (fromStageId === toStageId) return;
        await contribute(ctx, leadId, -1);
        await ctx.db.query(`UPDATE ${ctx.table('stage_totals_leads')} SET stage_id = $2 WHERE lead_id = $1`, [leadId, toStageId]);
        await contribute(ctx, leadId, 1);
        return;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});

/** Adds (sign 1) or removes (sign -1) one lead's share from its current stage's totals. */
async function contribute(ctx: HandlerContext, leadId: string, sign: 1 | -1): Promise<void> {
  const { rows } = await ctx.db.query<{ stage_id: string }>(
    `UPDATE ${ctx.table('stage_totals')} t SET
       lead_count = t.lead_count + $2::int,
       total_value = t.total_value + $2::int * COALESCE(l.deal_value, 0),
       weighted_value = t.weighted_value + $2::int * round(COALESCE(l.deal_value, 0) * COALESCE(l.probability, s.probability, 0) / 100.0, 4)
     FROM ${ctx.table('stage_totals_leads')} l
     LEFT JOIN ${ctx.table('stage_totals_stages')} s ON s.stage_id = l.stage_id
     WHERE l.lead_id = $1 AND t.stage_id = l.stage_id
     RETURNING t.stage_id`,
    [leadId, sign],
  );
  for (const row of rows) ctx.changed('stage_totals', row.stage_id);
}
