import { defineProjection, type HandlerContext, type ProjectedEvent } from '../../engine/types.ts';
import { parseFieldChange } from '../lead_cards/fields.ts';

/**
 * The pipeline's recorded history, for time travel and analytics:
 * - `lead_versions`: every state of every lead's card, valid over [valid_from, valid_to) (valid_to null = now);
 * - `stage_stays`: every stay of a lead in a stage, [entered_at, left_at), with where it came from;
 * - `stage_versions`: every state of every stage, deleted stages included.
 * Times are the events' occurredAt, so a rebuild gives identical rows. Versions are keyed by the
 * stream version of the event that made them, so two events in the same millisecond still make two rows.
 */
export const pipelineHistoryProjection = defineProjection({
  name: 'pipeline_history',
  version: 1,
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
      indexes: (t) => [`CREATE INDEX ON ${t} (stage_id, valid_from)`, `CREATE INDEX ON ${t} (pipeline_id, valid_from)`, `CREATE INDEX ON ${t} (lead_id) WHERE valid_to IS NULL`],
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
      indexes: (t) => [`CREATE INDEX ON ${t} (pipeline_id, entered_at)`, `CREATE INDEX ON ${t} (pipeline_id, left_at)`, `CREATE INDEX ON ${t} (lead_id) WHERE left_at IS NULL`],
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
  async handle(ctx, event) {
    const at = event.metadata.occurredAt;
    switch (event.type) {
      case 'StageAdded': {
        const s = event.data;
        await ctx.db.query(
          `INSERT INTO ${ctx.table('stage_versions')} (stage_id, version, valid_from, pipeline_id, name, color, order_position, is_active, is_won, is_lost, probability, rotting_days)
           VALUES ($1, $2, $3::timestamptz, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [s.stageId, event.streamVersion, at, s.pipelineId, s.name, s.color, s.orderPosition, s.isActive, s.isWon, s.isLost, s.probability, s.rottingDays],
        );
        return;
      }
      case 'StageUpdated': {
        const s = event.data;
        return newStageVersion(ctx, event, s.stageId, 'name = $4::text, color = $5::text, is_active = $6::boolean, is_won = $7::boolean, is_lost = $8::boolean, probability = $9::int, rotting_days = $10::int', [
          s.name,
          s.color,
          s.isActive,
          s.isWon,
          s.isLost,
          s.probability,
          s.rottingDays,
        ]);
      }
      case 'StagesReordered': {
        for (const [position, stageId] of event.data.stageIds.entries()) await newStageVersion(ctx, event, stageId, 'order_position = $4::int', [position]);
        return;
      }
      case 'StageDeleted':
        return newStageVersion(ctx, event, event.data.stageId, 'deleted = true', []);
      case 'LeadCreated': {
        const { leadId, pipelineId, stageId, rank, ownerId, fields: f } = event.data;
        await ctx.db.query(
          `INSERT INTO ${ctx.table('lead_versions')} (lead_id, version, valid_from, pipeline_id, stage_id, rank, first_name, last_name, company, deal_value, probability,
             owner_id, stage_entered_at, touched_at)
           VALUES ($1, $2, $3::timestamptz, $4, $5, $6, $7, $8, $9, $10, $11, $12, $3::timestamptz, $3::timestamptz)`,
          [leadId, event.streamVersion, at, pipelineId, stageId, rank, f.firstName, f.lastName, f.company, f.dealValue, f.probability, ownerId],
        );
        await ctx.db.query(
          `INSERT INTO ${ctx.table('stage_stays')} (lead_id, version, pipeline_id, stage_id, from_stage_id, owner_id, entered_at) VALUES ($1, $2, $3, $4, NULL, $5, $6::timestamptz)`,
          [leadId, event.streamVersion, pipelineId, stageId, ownerId, at],
        );
        return;
      }
      case 'LeadDetailsUpdated': {
        const sets: string[] = [];
        const params: unknown[] = [];
        for (const [field, change] of Object.entries(event.data.changes)) {
          const parsed = parseFieldChange(field, change.to);
          if (!['firstName', 'lastName', 'company', 'dealValue', 'probability'].includes(parsed.field)) continue;
          params.push(parsed.value);
          sets.push(`${parsed.column} = $${params.length + 3}::${CASTS[parsed.column]}`);
        }
        return newLeadVersion(ctx, event, event.data.leadId, sets.join(', '), params);
      }
      case 'LeadDealValueChanged':
        return newLeadVersion(ctx, event, event.data.leadId, 'deal_value = $4::numeric', [event.data.to]);
      case 'LeadProbabilityChanged':
        return newLeadVersion(ctx, event, event.data.leadId, 'probability = $4::int', [event.data.to]);
      case 'LeadExpectedCloseDateChanged':
        return newLeadVersion(ctx, event, event.data.leadId, '', []);
      case 'LeadAssigned':
        return newLeadVersion(ctx, event, event.data.leadId, 'owner_id = $4::uuid', [event.data.ownerId]);
      case 'LeadMovedToStage': {
        const { leadId, pipelineId, fromStageId, toStageId, rank } = event.data;
        const entered = fromStageId !== toStageId;
        await newLeadVersion(
          ctx,
          event,
          leadId,
          `pipeline_id = $4::uuid, stage_id = $5::uuid, rank = $6::text${entered ? ', stage_entered_at = $3::timestamptz' : ''}`,
          [pipelineId, toStageId, rank],
        );
        if (!entered) return;
        // Closing the open stay and opening the next in one statement: the INSERT's row is not seen by the UPDATE.
        await ctx.db.query(
          `WITH closed AS (UPDATE ${ctx.table('stage_stays')} SET left_at = $6::timestamptz WHERE lead_id = $1 AND left_at IS NULL)
           INSERT INTO ${ctx.table('stage_stays')} (lead_id, version, pipeline_id, stage_id, from_stage_id, owner_id, entered_at)
           SELECT $1, $2, $3, $4, $5, v.owner_id, $6::timestamptz FROM ${ctx.table('lead_versions')} v WHERE v.lead_id = $1 AND v.valid_to IS NULL`,
          [leadId, event.streamVersion, pipelineId, toStageId, fromStageId, at],
        );
        return;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});

const CASTS: Record<string, string> = { first_name: 'text', last_name: 'text', company: 'text', deal_value: 'numeric', probability: 'int' };

const LEAD_COLUMNS = ['pipeline_id', 'stage_id', 'rank', 'first_name', 'last_name', 'company', 'deal_value', 'probability', 'owner_id', 'stage_entered_at'];
const STAGE_COLUMNS = ['deleted', 'pipeline_id', 'name', 'color', 'order_position', 'is_active', 'is_won', 'is_lost', 'probability', 'rotting_days'];

/**
 * Closes the lead's current version at the event's time and opens the next one: a copy with the
 * assignments in `sets` ($1 lead id, $2 version, $3 time, $4... `params`) and touched_at = the time.
 */
async function newLeadVersion(ctx: HandlerContext, event: ProjectedEvent, leadId: string, sets: string, params: unknown[]): Promise<void> {
  const assigned = new Map(sets ? sets.split(', ').map((a) => [a.split(' = ')[0], a.split(' = ')[1]] as const) : []);
  const t = ctx.table('lead_versions');
  await ctx.db.query(
    `WITH old AS (UPDATE ${t} SET valid_to = $3::timestamptz WHERE lead_id = $1 AND valid_to IS NULL RETURNING *)
     INSERT INTO ${t} (lead_id, version, valid_from, ${LEAD_COLUMNS.join(', ')}, touched_at)
     SELECT lead_id, $2, $3::timestamptz, ${LEAD_COLUMNS.map((c) => assigned.get(c) ?? c).join(', ')}, $3::timestamptz FROM old`,
    [leadId, event.streamVersion, event.metadata.occurredAt, ...params],
  );
}

async function newStageVersion(ctx: HandlerContext, event: ProjectedEvent, stageId: string, sets: string, params: unknown[]): Promise<void> {
  const assigned = new Map(sets ? sets.split(', ').map((a) => [a.split(' = ')[0], a.split(' = ')[1]] as const) : []);
  const t = ctx.table('stage_versions');
  await ctx.db.query(
    `WITH old AS (UPDATE ${t} SET valid_to = $3::timestamptz WHERE stage_id = $1 AND valid_to IS NULL RETURNING *)
     INSERT INTO ${t} (stage_id, version, valid_from, ${STAGE_COLUMNS.join(', ')})
     SELECT stage_id, $2, $3::timestamptz, ${STAGE_COLUMNS.map((c) => assigned.get(c) ?? c).join(', ')} FROM old`,
    [stageId, event.streamVersion, event.metadata.occurredAt, ...params],
  );
}
