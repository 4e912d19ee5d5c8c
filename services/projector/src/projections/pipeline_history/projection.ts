import { personalLeadFields } from '@leadline/contracts';
import { defineProjection, type HandlerContext } from '../../engine/types.ts';
import { exceptForgets, splitAtForgets } from '../forget.ts';
import { foldEvent, id, LEAD_VERSIONS, STAGE_STAYS, STAGE_VERSIONS, type History, type HistoryEvent } from './fold.ts';
import { readOpen, Versions, writeRows } from './versions.ts';

/**
 * The pipeline's recorded history, for time travel and analytics:
 * - `lead_versions`: every state of every lead's card, valid over [valid_from, valid_to) (valid_to null = now);
 * - `stage_stays`: every stay of a lead in a stage, [entered_at, left_at), with where it came from;
 * - `stage_versions`: every state of every stage, deleted stages included.
 * Times are the events' occurredAt, so a rebuild gives identical rows. Versions are keyed by the
 * stream version of the event that made them, so two events in the same millisecond still make two rows.
 * A batch reads the open rows of its leads and stages once, folds its events in order in memory
 * (fold.ts) and writes each table with one statement: the rows it made and the open rows it closed.
 * A LeadForgotten erases the names in every version of the lead (the rest of its history stays).
 */
export const pipelineHistoryProjection = defineProjection({
  name: 'pipeline_history',
  // 2: a forgotten lead's versions lose their names (LeadForgotten).
  version: 2,
  gatherMs: 250,
  eventTypes: [
    'StageAdded',
    'StageUpdated',
    'StagesReordered',
    'StageDeleted',
    'LeadCreated',
    'LeadDetailsUpdated',
    'LeadMovedToStage',
    'LeadAssigned',
    'LeadDealValueChanged',
    'LeadExpectedCloseDateChanged',
    'LeadProbabilityChanged',
    'LeadForgotten',
  ],
  tables: [
    {
      name: 'lead_versions',
      ddl: (t) => `CREATE TABLE ${t} (
        lead_id uuid NOT NULL,
        version integer NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        pipeline_id uuid NOT NULL,
        stage_id uuid NOT NULL,
        rank text COLLATE "C" NOT NULL,
        first_name text,
        last_name text,
        company text,
        deal_value numeric(16,2),
        probability integer,
        owner_id uuid,
        stage_entered_at timestamptz NOT NULL,
        touched_at timestamptz NOT NULL,
        PRIMARY KEY (lead_id, version)
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (stage_id, valid_from)`, `CREATE INDEX ON ${t} (pipeline_id, valid_from)`],
      // The batch reads the open version of its leads through it, during a rebuild too.
      lookupIndexes: (t) => [`CREATE INDEX ON ${t} (lead_id) WHERE valid_to IS NULL`],
    },
    {
      name: 'stage_stays',
      ddl: (t) => `CREATE TABLE ${t} (
        lead_id uuid NOT NULL,
        version integer NOT NULL,
        pipeline_id uuid NOT NULL,
        stage_id uuid NOT NULL,
        from_stage_id uuid,
        owner_id uuid,
        entered_at timestamptz NOT NULL,
        left_at timestamptz,
        PRIMARY KEY (lead_id, version)
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (pipeline_id, entered_at)`, `CREATE INDEX ON ${t} (pipeline_id, left_at)`],
      lookupIndexes: (t) => [`CREATE INDEX ON ${t} (lead_id) WHERE left_at IS NULL`],
    },
    {
      name: 'stage_versions',
      ddl: (t) => `CREATE TABLE ${t} (
        stage_id uuid NOT NULL,
        version integer NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        deleted boolean NOT NULL DEFAULT false,
        pipeline_id uuid NOT NULL,
        name text NOT NULL,
        color text NOT NULL,
        order_position integer NOT NULL,
        is_active boolean NOT NULL,
        is_won boolean NOT NULL,
        is_lost boolean NOT NULL,
        probability integer NOT NULL,
        rotting_days integer,
        PRIMARY KEY (stage_id, version)
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (pipeline_id, valid_from)`],
    },
  ],
  async handleBatch(ctx, events) {
    for (const segment of splitAtForgets(events)) {
      await writeSegment(ctx, exceptForgets(segment.events));
      await eraseLeads(ctx, segment.forgotten);
    }
  },
});

async function writeSegment(ctx: HandlerContext, events: HistoryEvent[]): Promise<void> {
  if (events.length === 0) return;
  const leadIds = new Set<string>();
  const movedIds = new Set<string>();
  const stageIds = new Set<string>();
  for (const e of events) {
    if (e.type === 'StagesReordered') for (const stageId of e.data.stageIds) stageIds.add(id(stageId));
    else if (e.type === 'StageAdded' || e.type === 'StageUpdated' || e.type === 'StageDeleted') stageIds.add(id(e.data.stageId));
    else leadIds.add(id(e.data.leadId));
    if (e.type === 'LeadMovedToStage' && e.data.fromStageId !== e.data.toStageId) movedIds.add(id(e.data.leadId));
  }
  const h: History = { leads: new Versions(LEAD_VERSIONS), stays: new Versions(STAGE_STAYS), stages: new Versions(STAGE_VERSIONS) };
  h.leads.load(await readOpen(ctx, LEAD_VERSIONS, leadIds));
  h.stays.load(await readOpen(ctx, STAGE_STAYS, movedIds));
  h.stages.load(await readOpen(ctx, STAGE_VERSIONS, stageIds));
  for (const e of events) foldEvent(h, e);
  await writeRows(ctx, LEAD_VERSIONS, h.leads.written.values());
  await writeRows(ctx, STAGE_STAYS, h.stays.written.values());
  await writeRows(ctx, STAGE_VERSIONS, h.stages.written.values());
}

/** Every version of a forgotten lead gets the placeholders of its names, as its erased events would have given. */
async function eraseLeads(ctx: HandlerContext, leadIds: string[]): Promise<void> {
  if (leadIds.length === 0) return;
  await ctx.db.query(`UPDATE ${ctx.table(LEAD_VERSIONS.name)} SET first_name = $2, last_name = $3 WHERE lead_id = ANY($1::uuid[])`, [
    leadIds,
    personalLeadFields.firstName,
    personalLeadFields.lastName,
  ]);
}
