import { eventTypes, timelineKindOf, type EventType } from '@leadline/contracts';
import { defineProjection, type HandlerContext, type ProjectedEvent } from '../../engine/types.ts';

/** What a timeline row keeps of an activity: its current state, as the events left it. */
export type ActivitySnapshot = {
  type: string;
  subject: string;
  description: string | null;
  scheduledAt: string | null;
  details: Record<string, unknown>;
  userId: string;
  completedAt: string | null;
  outcome: string | null;
  durationMinutes: number | null;
  deletedAt: string | null;
  deletedBy: string | null;
  deleteReason: string | null;
  edited: boolean;
  version: number;
};

const raw = (e: ProjectedEvent) => ({ eventId: e.eventId, type: e.type, streamId: e.streamId, streamVersion: e.streamVersion, checkpoint: e.checkpoint, data: e.data, metadata: e.metadata });

const ACTIVITY_EVENTS = new Set<EventType>(['ActivityLogged', 'ActivityUpdated', 'ActivityCompleted', 'ActivityDeleted']);

const LEAD_STREAM = /^lead-([0-9a-f-]{36})$/;

/**
 * `read.timeline`: a lead's story, read from the events. One row per lead event (any event in the
 * lead's stream, whatever its type) and one row per activity (its current state plus every event
 * behind it). Nothing is stored twice as a fake activity; words are chosen at query time.
 * `position` (the checkpoint of the row's first event) orders the timeline; `changed_position`
 * (its latest event) lets a live client fetch only what changed.
 */
export const timelineProjection = defineProjection({
  name: 'timeline',
  version: 1,
  eventTypes: eventTypes.filter((t: EventType) => timelineKindOf(t) !== null || ACTIVITY_EVENTS.has(t)),
  tables: [
    {
      name: 'timeline',
      ddl: (t) => `CREATE TABLE ${t} (
        id text PRIMARY KEY,
        lead_id uuid NOT NULL,
        position text COLLATE "C" NOT NULL,
        changed_position text COLLATE "C" NOT NULL,
        kind text NOT NULL,
        event_type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor_id text NOT NULL,
        activity jsonb,
        events jsonb NOT NULL
      )`,
      indexes: (t) => [`CREATE INDEX ON ${t} (lead_id, position DESC)`, `CREATE INDEX ON ${t} (lead_id, kind, position DESC)`, `CREATE INDEX ON ${t} (lead_id, changed_position)`],
    },
  ],
  async handle(ctx, event) {
    switch (event.type) {
      case 'ActivityLogged':
        return activityLogged(ctx, event as ProjectedEvent<'ActivityLogged'>);
      case 'ActivityUpdated':
      case 'ActivityCompleted':
      case 'ActivityDeleted':
        return activityChanged(ctx, event as ProjectedEvent<'ActivityUpdated' | 'ActivityCompleted' | 'ActivityDeleted'>);
      default: {
        const match = LEAD_STREAM.exec(event.streamId);
        const kind = timelineKindOf(event.type);
        if (!match || kind === null) return;
        await ctx.db.query(
          `INSERT INTO ${ctx.table('timeline')} (id, lead_id, position, changed_position, kind, event_type, occurred_at, actor_id, activity, events)
           VALUES ($1, $2, $3, $3, $4, $5, $6::timestamptz, $7, NULL, $8::jsonb)`,
          [event.eventId, match[1], event.checkpoint, kind, event.type, event.metadata.occurredAt, event.metadata.actorId, JSON.stringify([raw(event)])],
        );
        ctx.changed('timeline', match[1]);
      }
    }
  },
});

async function activityLogged(ctx: HandlerContext, event: ProjectedEvent<'ActivityLogged'>): Promise<void> {
  const d = event.data;
  const snapshot: ActivitySnapshot = {
    type: d.type,
    subject: d.subject,
    description: d.description,
    scheduledAt: d.scheduledAt,
    details: d.details,
    userId: d.userId,
    completedAt: d.completion?.completedAt ?? null,
    outcome: d.completion?.outcome ?? null,
    durationMinutes: d.completion?.durationMinutes ?? null,
    deletedAt: null,
    deletedBy: null,
    deleteReason: null,
    edited: false,
    version: event.streamVersion,
  };
  await ctx.db.query(
    `INSERT INTO ${ctx.table('timeline')} (id, lead_id, position, changed_position, kind, event_type, occurred_at, actor_id, activity, events)
     VALUES ($1, $2, $3, $3, $4, $5, $6::timestamptz, $7, $8::jsonb, $9::jsonb)`,
    [d.activityId, d.leadId, event.checkpoint, d.type, event.type, event.metadata.occurredAt, event.metadata.actorId, JSON.stringify(snapshot), JSON.stringify([raw(event)])],
  );
  ctx.changed('timeline', d.leadId);
}

async function activityChanged(ctx: HandlerContext, event: ProjectedEvent<'ActivityUpdated' | 'ActivityCompleted' | 'ActivityDeleted'>): Promise<void> {
  const table = ctx.table('timeline');
  const { rows } = await ctx.db.query<{ activity: ActivitySnapshot }>(`SELECT activity FROM ${table} WHERE id = $1`, [event.data.activityId]);
  const before = rows[0]?.activity;
  if (!before) throw new Error(`${event.type} for unknown activity ${event.data.activityId}`);
  const after: ActivitySnapshot = { ...before, version: event.streamVersion };
  if (event.type === 'ActivityUpdated') {
    for (const [field, change] of Object.entries(event.data.changes)) (after as Record<string, unknown>)[field] = change.to;
    after.edited = true;
  } else if (event.type === 'ActivityCompleted') {
    Object.assign(after, { completedAt: event.data.completedAt, outcome: event.data.outcome, durationMinutes: event.data.durationMinutes });
  } else {
    Object.assign(after, { deletedAt: event.metadata.occurredAt, deletedBy: event.metadata.actorId, deleteReason: event.data.reason });
  }
  await ctx.db.query(`UPDATE ${table} SET activity = $2::jsonb, events = events || $3::jsonb, changed_position = $4 WHERE id = $1`, [
    event.data.activityId,
    JSON.stringify(after),
    JSON.stringify([raw(event)]),
    event.checkpoint,
  ]);
  ctx.changed('timeline', event.data.leadId);
}
