import { eventTypes, timelineKindOf, type EventType } from '@leadline/contracts';
import { defineProjection, type HandlerContext, type ProjectedEvent } from '../../engine/types.ts';
import { splitAtForgets } from '../forget.ts';
import { eraseRawEvent, eraseSnapshot } from './erase.ts';
import { foldTimeline, type ActivitySnapshot, type RawEvent } from './fold.ts';

export type { ActivitySnapshot } from './fold.ts';

const ACTIVITY_EVENTS = new Set<EventType>(['ActivityLogged', 'ActivityUpdated', 'ActivityCompleted', 'ActivityDeleted']);

const COLUMNS = 'id, lead_id, position, changed_position, kind, event_type, occurred_at, actor_id, activity, events';
const RECORD = 'id text, lead_id uuid, position text, changed_position text, kind text, event_type text, occurred_at timestamptz, actor_id text, activity jsonb, events jsonb';

/**
 * `read.timeline`: a lead's story, read from the events. One row per lead event (any event in the
 * lead's stream, whatever its type) and one row per activity (its current state plus every event
 * behind it). Nothing is stored twice as a fake activity; words are chosen at query time.
 * `position` (the checkpoint of the row's first event) orders the timeline; `changed_position`
 * (its latest event) lets a live client fetch only what changed. A LeadForgotten erases the
 * personal values of every row of the lead (its events as stored and its activities' state).
 */
export const timelineProjection = defineProjection({
  name: 'timeline',
  // 2: a forgotten lead's rows are erased (LeadForgotten).
  version: 2,
  live: true,
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
  async handleBatch(ctx, events) {
    for (const segment of splitAtForgets(events)) {
      await writeSegment(ctx, segment.events);
      // After the LeadForgotten's own row (it holds nothing personal) and every row before it.
      await eraseLeads(ctx, segment.forgotten);
    }
  },
});

async function writeSegment(ctx: HandlerContext, events: ProjectedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const table = ctx.table('timeline');
  const activityIds = [...new Set(events.flatMap((e) => (ACTIVITY_EVENTS.has(e.type) ? [(e.data as { activityId: string }).activityId] : [])))];
  const prior = new Map<string, ActivitySnapshot | null>();
  if (activityIds.length > 0) {
    const { rows } = await ctx.db.query<{ id: string; activity: ActivitySnapshot | null }>(`SELECT id, activity FROM ${table} WHERE id = ANY($1::text[])`, [activityIds]);
    for (const row of rows) prior.set(row.id, row.activity);
  }
  const fold = foldTimeline(events, prior);
  if (fold.leadRows.length > 0) {
    await ctx.db.query(
      `INSERT INTO ${table} (${COLUMNS})
       SELECT id, lead_id, position, changed_position, kind, event_type, occurred_at, actor_id, NULL, events FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD})`,
      [JSON.stringify(fold.leadRows)],
    );
  }
  if (fold.activityRows.size > 0) {
    await ctx.db.query(
      `INSERT INTO ${table} AS t (${COLUMNS})
       SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD})
       ON CONFLICT (id) DO UPDATE SET activity = EXCLUDED.activity, events = t.events || EXCLUDED.events, changed_position = EXCLUDED.changed_position`,
      [JSON.stringify([...fold.activityRows.values()])],
    );
  }
  for (const leadId of fold.changedLeads) ctx.changed('timeline', leadId);
}

async function eraseLeads(ctx: HandlerContext, leadIds: string[]): Promise<void> {
  if (leadIds.length === 0) return;
  const table = ctx.table('timeline');
  const { rows } = await ctx.db.query<{ id: string; activity: ActivitySnapshot | null; events: RawEvent[] }>(`SELECT id, activity, events FROM ${table} WHERE lead_id = ANY($1::uuid[])`, [leadIds]);
  if (rows.length === 0) return;
  const erased = rows.map((r) => ({ id: r.id, activity: r.activity && eraseSnapshot(r.activity), events: r.events.map(eraseRawEvent) }));
  await ctx.db.query(`UPDATE ${table} t SET activity = x.activity, events = x.events FROM jsonb_to_recordset($1::jsonb) AS x(id text, activity jsonb, events jsonb) WHERE t.id = x.id`, [
    JSON.stringify(erased),
  ]);
  for (const leadId of leadIds) ctx.changed('timeline', leadId);
}
