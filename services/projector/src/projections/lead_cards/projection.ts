import { defineProjection, type HandlerContext, type ProjectedEvent } from '../../engine/types.ts';
import { parseFieldChange } from './fields.ts';

/**
 * `read.leads`: one row per lead, the board's cards and the lead list. The owner's name is not
 * stored: the query side joins `read.users`, so a renamed user needs no lead rewritten.
 * `read.lead_cards_stages` is private: which stages are won, so that won_at is set on entering a
 * won stage even for a lead without a deal value (whose move carries wonValue null).
 */
export const leadCardsProjection = defineProjection({
  name: 'lead_cards',
  // 2: the overview's (stage_id, stage_entered_at) and (stage_id, updated_at) indexes, earlier autovacuum.
  // 3: activities touch a lead (activity_at, touched_at): rotting counts them; (stage_id, touched_at) index.
  version: 3,
  eventTypes: [
    'StageAdded',
    'StageUpdated',
    'LeadCreated',
    'LeadDetailsUpdated',
    'LeadMovedToStage',
    'LeadAssigned',
    'LeadDealValueChanged',
    'LeadExpectedCloseDateChanged',
    'LeadProbabilityChanged',
    'ActivityLogged',
    'ActivityCompleted',
  ],
  tables: [
    {
      name: 'leads',
      // deal_value is numeric(16,2), not (15,2): the contracts accept values up to 1e13 inclusive.
      // Autovacuum after 1 % of the rows changed (default 20 %): the overview counts stages with
      // index-only scans, which fetch the heap row of every page changed since the last vacuum.
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY,
        pipeline_id uuid NOT NULL,
        stage_id uuid NOT NULL,
        rank text COLLATE "C" NOT NULL,
        first_name text,
        last_name text,
        email text,
        phone text,
        company text,
        title text,
        source text,
        industry text,
        country text,
        city text,
        company_size text,
        deal_value numeric(16,2),
        expected_close_date date,
        probability integer,
        custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb,
        owner_id uuid,
        lost_reason text,
        won_at timestamptz,
        stage_entered_at timestamptz NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        activity_at timestamptz,
        touched_at timestamptz GENERATED ALWAYS AS (GREATEST(updated_at, activity_at)) STORED
      ) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01)`,
      indexes: (t) => [
        `CREATE INDEX ON ${t} (stage_id, rank, id)`,
        `CREATE INDEX ON ${t} (owner_id)`,
        `CREATE INDEX ON ${t} (pipeline_id)`,
        `CREATE INDEX ON ${t} (created_at DESC, id DESC)`,
        `CREATE INDEX ON ${t} (stage_id, stage_entered_at)`,
        `CREATE INDEX ON ${t} (stage_id, touched_at)`,
      ],
    },
    {
      name: 'lead_cards_stages',
      ddl: (t) => `CREATE TABLE ${t} (stage_id uuid PRIMARY KEY, is_won boolean NOT NULL)`,
    },
  ],
  async handle(ctx, event) {
    switch (event.type) {
      case 'StageAdded': {
        await ctx.db.query(`INSERT INTO ${ctx.table('lead_cards_stages')} (stage_id, is_won) VALUES ($1, $2)`, [event.data.stageId, event.data.isWon]);
        return;
      }
      case 'StageUpdated': {
        await ctx.db.query(`UPDATE ${ctx.table('lead_cards_stages')} SET is_won = $2 WHERE stage_id = $1`, [event.data.stageId, event.data.isWon]);
        return;
      }
      case 'LeadDealValueChanged':
        return setField(ctx, event, 'deal_value', event.data.to);
      case 'LeadExpectedCloseDateChanged':
        return setField(ctx, event, 'expected_close_date', event.data.to);
      case 'LeadProbabilityChanged':
        return setField(ctx, event, 'probability', event.data.to);
      case 'LeadCreated':
        return leadCreated(ctx, event);
      case 'LeadDetailsUpdated':
        return detailsUpdated(ctx, event);
      case 'LeadMovedToStage':
        return movedToStage(ctx, event);
      case 'ActivityLogged':
      case 'ActivityCompleted': {
        // A call, email, meeting... logged or completed on the lead touches it (rotting), without
        // changing the lead itself (version and updated_at stay).
        const { rowCount } = await ctx.db.query(`UPDATE ${ctx.table('leads')} SET activity_at = GREATEST(activity_at, $2::timestamptz) WHERE id = $1`, [
          event.data.leadId,
          event.metadata.occurredAt,
        ]);
        if (rowCount) ctx.changed('leads', event.data.leadId);
        return;
      }
      case 'LeadAssigned': {
        await ctx.db.query(`UPDATE ${ctx.table('leads')} SET owner_id = $2, version = $3, updated_at = $4::timestamptz WHERE id = $1`, [
          event.data.leadId,
          event.data.ownerId,
          event.streamVersion,
          event.metadata.occurredAt,
        ]);
        ctx.changed('leads', event.data.leadId);
        return;
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});

async function setField(ctx: HandlerContext, event: ProjectedEvent<'LeadDealValueChanged' | 'LeadExpectedCloseDateChanged' | 'LeadProbabilityChanged'>, column: string, value: unknown): Promise<void> {
  await ctx.db.query(`UPDATE ${ctx.table('leads')} SET ${column} = $2, version = $3, updated_at = $4::timestamptz WHERE id = $1`, [
    event.data.leadId,
    value,
    event.streamVersion,
    event.metadata.occurredAt,
  ]);
  ctx.changed('leads', event.data.leadId);
}

type Event<T extends 'LeadCreated' | 'LeadDetailsUpdated' | 'LeadMovedToStage'> = ProjectedEvent<T>;

async function leadCreated(ctx: HandlerContext, event: Event<'LeadCreated'>): Promise<void> {
  const { leadId, pipelineId, stageId, rank, ownerId, fields: f } = event.data;
  const at = event.metadata.occurredAt;
  await ctx.db.query(
    `INSERT INTO ${ctx.table('leads')} (id, pipeline_id, stage_id, rank, first_name, last_name, email, phone, company, title, source,
       industry, country, city, company_size, deal_value, expected_close_date, probability, custom_fields, owner_id, lost_reason, won_at,
       stage_entered_at, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19::jsonb, $20, NULL, NULL,
       $21::timestamptz, $22, $21::timestamptz, $21::timestamptz)`,
    [
      leadId, pipelineId, stageId, rank, f.firstName, f.lastName, f.email, f.phone, f.company, f.title, f.source,
      f.industry, f.country, f.city, f.companySize, f.dealValue, f.expectedCloseDate, f.probability, JSON.stringify(f.customFields), ownerId,
      at, event.streamVersion,
    ],
  );
  ctx.changed('leads', leadId);
}

async function detailsUpdated(ctx: HandlerContext, event: Event<'LeadDetailsUpdated'>): Promise<void> {
  const params: unknown[] = [event.data.leadId, event.streamVersion, event.metadata.occurredAt];
  const sets = ['version = $2', 'updated_at = $3::timestamptz'];
  for (const [field, change] of Object.entries(event.data.changes)) {
    const { column, value } = parseFieldChange(field, change.to);
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  await ctx.db.query(`UPDATE ${ctx.table('leads')} SET ${sets.join(', ')} WHERE id = $1`, params);
  ctx.changed('leads', event.data.leadId);
}

/**
 * Entering another stage resets stage_entered_at; a reorder inside the same stage keeps it, and
 * keeps the lost reason or won time unless the move brings new ones. The command side sets
 * lostReason exactly for lost stages; a won stage is known from StageAdded (or a non-null wonValue).
 */
async function movedToStage(ctx: HandlerContext, event: Event<'LeadMovedToStage'>): Promise<void> {
  const { leadId, pipelineId, toStageId, rank, lostReason, wonValue } = event.data;
  // Whether the stage is won is looked up in the same statement (one round trip per move).
  const won = `(COALESCE((SELECT is_won FROM ${ctx.table('lead_cards_stages')} WHERE stage_id = $2), false) OR $6::boolean)`;
  await ctx.db.query(
    `UPDATE ${ctx.table('leads')} SET
       stage_entered_at = CASE WHEN stage_id = $2 THEN stage_entered_at ELSE $7::timestamptz END,
       lost_reason = CASE WHEN stage_id = $2 THEN COALESCE($5::text, lost_reason) ELSE $5::text END,
       won_at = CASE WHEN NOT ${won} THEN NULL WHEN stage_id = $2 THEN COALESCE(won_at, $7::timestamptz) ELSE $7::timestamptz END,
       stage_id = $2, pipeline_id = $3, rank = $4, version = $8, updated_at = $7::timestamptz
     WHERE id = $1`,
    [leadId, toStageId, pipelineId, rank, lostReason, wonValue !== null, event.metadata.occurredAt, event.streamVersion],
  );
  ctx.changed('leads', leadId);
}
