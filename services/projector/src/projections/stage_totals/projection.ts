import { defineProjection } from '../../engine/types.ts';
import { foldStageTotals, id, type StageTotalsEvent, type StageTotalsState } from './fold.ts';
import { readLeads, readStages, writeLeads, writeStages, writeTotals } from './rows.ts';

/**
 * `read.stage_totals`: count, value and weighted value per stage. It keeps its own copy of what it
 * needs about stages and leads (`stage_totals_stages`, `stage_totals_leads`) so that it rebuilds
 * alone, never reading another projection's tables. Totals change by the lead's contribution
 * (removed before a change, added after), in exact numeric arithmetic, so incremental totals equal
 * totals recomputed from scratch. Set-based: one read of the batch's leads and of their stages,
 * a fold in memory (fold.ts) that lists every share, one statement per table (rows.ts).
 */
export const stageTotalsProjection = defineProjection({
  name: 'stage_totals',
  // 2: shares are summed in SQL only; version 1 read them back through the numeric type parser
  // (JS numbers), which dropped trailing zeros of the scale and digits past a double's precision.
  version: 2,
  live: true,
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
  async handleBatch(ctx, batch) {
    const events = batch as StageTotalsEvent[];
    const leadIds = new Set<string>();
    const stageIds = new Set<string>();
    for (const event of events) {
      if ('leadId' in event.data) leadIds.add(id(event.data.leadId));
      if ('stageId' in event.data) stageIds.add(id(event.data.stageId));
      if (event.type === 'LeadMovedToStage') stageIds.add(id(event.data.toStageId));
    }
    const leads = await readLeads(ctx, [...leadIds]);
    for (const lead of leads.values()) stageIds.add(lead.stage_id);
    const state: StageTotalsState = { leads, stages: await readStages(ctx, [...stageIds]), touchedLeads: new Set(), touchedStages: new Set(), totals: new Map() };
    foldStageTotals(state, events, (stageId) => ctx.changed('stage_totals', stageId));
    await writeStages(ctx, state);
    await writeLeads(ctx, state);
    await writeTotals(ctx, state);
  },
});
