import { defineProjection, type HandlerContext, type ProjectedEvent } from '../../engine/types.ts';

const UPDATABLE: Record<string, { column: string; cast: string }> = {
  subject: { column: 'subject', cast: 'text' },
  description: { column: 'description', cast: 'text' },
  scheduledAt: { column: 'scheduled_at', cast: 'timestamptz' },
  userId: { column: 'user_id', cast: 'uuid' },
  details: { column: 'details', cast: 'jsonb' },
};

/**
 * `read.activities`: one row per activity, deleted ones included (`deleted_at`), for the activity
 * lists, the upcoming view and search; `read.activity_templates` for the form's templates.
 * `search` is a generated tsvector over subject and description (GIN index): text search stays
 * fast at a million activities.
 */
export const activitiesProjection = defineProjection({
  name: 'activities',
  version: 1,
  eventTypes: ['ActivityLogged', 'ActivityUpdated', 'ActivityCompleted', 'ActivityDeleted', 'ActivityTemplateSaved', 'ActivityTemplateDeleted'],
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
  async handle(ctx, event) {
    const at = event.metadata.occurredAt;
    switch (event.type) {
      case 'ActivityLogged':
        return logged(ctx, event);
      case 'ActivityUpdated': {
        const params: unknown[] = [event.data.activityId, event.streamVersion, at];
        const sets = ['version = $2', 'updated_at = $3::timestamptz'];
        for (const [field, change] of Object.entries(event.data.changes)) {
          const spec = UPDATABLE[field];
          if (!spec) throw new Error(`ActivityUpdated: unknown field ${field}`);
          params.push(spec.cast === 'jsonb' ? JSON.stringify(change.to) : change.to);
          sets.push(`${spec.column} = $${params.length}::${spec.cast}`);
        }
        await ctx.db.query(`UPDATE ${ctx.table('activities')} SET ${sets.join(', ')} WHERE id = $1`, params);
        ctx.changed('activities', event.data.activityId);
        return;
      }
      case 'ActivityCompleted': {
        const { activityId, completedAt, outcome, durationMinutes } = event.data;
        await ctx.db.query(
          `UPDATE ${ctx.table('activities')} SET completed_at = $2::timestamptz, outcome = $3, duration_minutes = $4, version = $5, updated_at = $6::timestamptz WHERE id = $1`,
          [activityId, completedAt, outcome, durationMinutes, event.streamVersion, at],
        );
        ctx.changed('activities', activityId);
        return;
      }
      case 'ActivityDeleted': {
        await ctx.db.query(
          `UPDATE ${ctx.table('activities')} SET deleted_at = $2::timestamptz, deleted_by = $3, delete_reason = $4, version = $5, updated_at = $2::timestamptz WHERE id = $1`,
          [event.data.activityId, at, event.metadata.actorId, event.data.reason, event.streamVersion],
        );
        ctx.changed('activities', event.data.activityId);
        return;
      }
      case 'ActivityTemplateSaved': {
        const { templateId, name, type, subject, description, durationMinutes, details } = event.data;
        await ctx.db.query(
          `INSERT INTO ${ctx.table('activity_templates')} (id, name, type, subject, description, duration_minutes, details, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::timestamptz)
           ON CONFLICT (id) DO UPDATE SET name = $2, type = $3, subject = $4, description = $5, duration_minutes = $6, details = $7::jsonb, updated_at = $8::timestamptz`,
          [templateId, name, type, subject, description, durationMinutes, JSON.stringify(details), at],
        );
        ctx.changed('activity_templates', templateId);
        return;
      }
      case 'ActivityTemplateDeleted':
        await ctx.db.query(`DELETE FROM ${ctx.table('activity_templates')} WHERE id = $1`, [event.data.templateId]);
        ctx.changed('activity_templates', event.data.templateId);
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});

async function logged(ctx: HandlerContext, event: ProjectedEvent<'ActivityLogged'>): Promise<void> {
  const d = event.data;
  const at = event.metadata.occurredAt;
  await ctx.db.query(
    `INSERT INTO ${ctx.table('activities')} (id, lead_id, type, user_id, created_by, subject, description, scheduled_at, details,
       completed_at, outcome, duration_minutes, template_id, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::jsonb, $10::timestamptz, $11, $12, $13, $14, $15::timestamptz, $15::timestamptz)`,
    [
      d.activityId, d.leadId, d.type, d.userId, event.metadata.actorId, d.subject, d.description, d.scheduledAt, JSON.stringify(d.details),
      d.completion?.completedAt ?? null, d.completion?.outcome ?? null, d.completion?.durationMinutes ?? null, d.templateId, event.streamVersion, at,
    ],
  );
  ctx.changed('activities', d.activityId);
}
