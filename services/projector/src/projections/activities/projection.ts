import { defineProjection, type HandlerContext, type ProjectedEvent } from '../../engine/types.ts';
import { exceptForgets, splitAtForgets } from '../forget.ts';
import { eraseActivityRow } from './erase.ts';
import { activitiesEventTypes, foldActivities, type ActivitiesEventType, type ActivityRow } from './fold.ts';

const ACTIVITY_COLUMNS = ['id', 'lead_id', 'type', 'user_id', 'created_by', 'subject', 'description', 'scheduled_at', 'details', 'completed_at', 'outcome', 'duration_minutes', 'template_id', 'deleted_at', 'deleted_by', 'delete_reason', 'version', 'created_at', 'updated_at'];
const ACTIVITY_RECORD = `id uuid, lead_id uuid, type text, user_id uuid, created_by text, subject text, description text, scheduled_at timestamptz, details text,
  completed_at timestamptz, outcome text, duration_minutes integer, template_id uuid, deleted_at timestamptz, deleted_by text, delete_reason text, version integer,
  created_at timestamptz, updated_at timestamptz`;
/** What the events can change of a stored activity; `search` follows, being generated. */
const ACTIVITY_CHANGES = ['user_id', 'subject', 'description', 'scheduled_at', 'details', 'completed_at', 'outcome', 'duration_minutes', 'deleted_at', 'deleted_by', 'delete_reason', 'version', 'updated_at'];
const TEMPLATE_COLUMNS = ['name', 'type', 'subject', 'description', 'duration_minutes', 'details', 'updated_at'];

/**
 * `read.activities`: one row per activity, deleted ones included (`deleted_at`), for the activity
 * lists, the upcoming view and search; `read.activity_templates` for the form's templates.
 * `search` is a generated tsvector over subject and description (GIN index): text search stays
 * fast at a million activities. A LeadForgotten erases the lead's activities' free text and contact details.
 */
export const activitiesProjection = defineProjection({
  name: 'activities',
  // 2: a forgotten lead's activities are erased (LeadForgotten).
  version: 2,
  live: true,
  eventTypes: [...activitiesEventTypes, 'LeadForgotten'],
  tables: [
    {
      name: 'activities',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY,
        lead_id uuid NOT NULL,
        type text NOT NULL,
        user_id uuid NOT NULL,
        created_by text NOT NULL,
        subject text NOT NULL,
        description text,
        scheduled_at timestamptz,
        details jsonb NOT NULL,
        completed_at timestamptz,
        outcome text,
        duration_minutes integer,
        template_id uuid,
        deleted_at timestamptz,
        deleted_by text,
        delete_reason text,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        search tsvector GENERATED ALWAYS AS (to_tsvector('simple', subject || ' ' || coalesce(description, ''))) STORED
      )`,
      indexes: (t) => [
        `CREATE INDEX ON ${t} (created_at DESC, id DESC)`,
        `CREATE INDEX ON ${t} (lead_id, created_at DESC, id DESC)`,
        `CREATE INDEX ON ${t} (user_id, created_at DESC, id DESC)`,
        `CREATE INDEX ON ${t} (scheduled_at, id) WHERE completed_at IS NULL AND deleted_at IS NULL`,
        `CREATE INDEX ON ${t} USING gin (search)`,
      ],
    },
    {
      name: 'activity_templates',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        type text NOT NULL,
        subject text NOT NULL,
        description text,
        duration_minutes integer,
        details jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
    },
  ],
  async handleBatch(ctx, events) {
    for (const segment of splitAtForgets(events)) {
      await writeSegment(ctx, exceptForgets(segment.events));
      await eraseLeads(ctx, segment.forgotten);
    }
  },
});

async function writeSegment(ctx: HandlerContext, events: ProjectedEvent<ActivitiesEventType>[]): Promise<void> {
  if (events.length === 0) return;
  const activities = ctx.table('activities');
  const ids = [...new Set(events.flatMap((e) => ('activityId' in e.data ? [e.data.activityId] : [])))];
  const prior = new Map<string, ActivityRow>();
  if (ids.length > 0) {
    // As JSON, timestamps keep their microseconds on the way back.
    const { rows } = await ctx.db.query<{ row: ActivityRow }>(`SELECT to_jsonb(t) - 'search' AS row FROM ${activities} t WHERE id = ANY($1::uuid[])`, [ids]);
    for (const { row } of rows) prior.set(row.id, row);
  }
  const fold = foldActivities(events, prior);
  await upsertActivities(ctx, [...fold.activities.values()]);
  if (fold.templates.size > 0) {
    const templates = ctx.table('activity_templates');
    const entries = [...fold.templates];
    await ctx.db.query(
      `WITH deleted AS (DELETE FROM ${templates} WHERE id = ANY($2::uuid[]))
       INSERT INTO ${templates} (id, ${TEMPLATE_COLUMNS.join(', ')})
       SELECT id, ${TEMPLATE_COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb)
         AS x(id uuid, name text, type text, subject text, description text, duration_minutes integer, details jsonb, updated_at timestamptz)
       ON CONFLICT (id) DO UPDATE SET ${TEMPLATE_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
      [JSON.stringify(entries.flatMap(([, row]) => (row ? [row] : []))), entries.flatMap(([id, row]) => (row ? [] : [id]))],
    );
  }
  for (const [view, key] of fold.changed) ctx.changed(view, key);
}

async function upsertActivities(ctx: HandlerContext, rows: ActivityRow[]): Promise<void> {
  if (rows.length === 0) return;
  // details travels as JSON text: a JSON null must stay a jsonb null, as it did through $n::jsonb.
  await ctx.db.query(
    `INSERT INTO ${ctx.table('activities')} (${ACTIVITY_COLUMNS.join(', ')})
     SELECT ${ACTIVITY_COLUMNS.map((c) => (c === 'details' ? 'details::jsonb' : c)).join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${ACTIVITY_RECORD})
     ON CONFLICT (id) DO UPDATE SET ${ACTIVITY_CHANGES.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
    [JSON.stringify(rows.map((r) => ({ ...r, details: JSON.stringify(r.details) })))],
  );
}

/** A forgotten lead's activities lose their free text and contact details (erase.ts); `search` follows, being generated. */
async function eraseLeads(ctx: HandlerContext, leadIds: string[]): Promise<void> {
  if (leadIds.length === 0) return;
  const { rows } = await ctx.db.query<{ row: ActivityRow }>(`SELECT to_jsonb(t) - 'search' AS row FROM ${ctx.table('activities')} t WHERE lead_id = ANY($1::uuid[])`, [leadIds]);
  await upsertActivities(ctx, rows.map(({ row }) => eraseActivityRow(row)));
  for (const { row } of rows) ctx.changed('activities', row.id);
}
