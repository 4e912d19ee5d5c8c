import { timelineKindOf } from '@leadline/contracts';
import type { ProjectedEvent } from '../../engine/types.ts';

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

export type RawEvent = ReturnType<typeof raw>;

/** A row to write; for an activity row that exists already only `activity`, `events` (to append) and `changed_position` are used. */
export type TimelineRow = {
  id: string;
  lead_id: string;
  position: string;
  changed_position: string;
  kind: string;
  event_type: string;
  occurred_at: string;
  actor_id: string;
  activity: ActivitySnapshot | null;
  events: RawEvent[];
};

export type TimelineFold = { leadRows: TimelineRow[]; activityRows: Map<string, TimelineRow>; changedLeads: string[] };

type ActivityChange = ProjectedEvent<'ActivityUpdated' | 'ActivityCompleted' | 'ActivityDeleted'>;

const raw = (e: ProjectedEvent) => ({ eventId: e.eventId, type: e.type, streamId: e.streamId, streamVersion: e.streamVersion, checkpoint: e.checkpoint, data: e.data, metadata: e.metadata });

const LEAD_STREAM = /^lead-([0-9a-f-]{36})$/;

const rowOf = (e: ProjectedEvent, id: string, leadId: string, kind: string, activity: ActivitySnapshot | null): TimelineRow => ({
  id,
  lead_id: leadId,
  position: e.checkpoint,
  changed_position: e.checkpoint,
  kind,
  event_type: e.type,
  occurred_at: e.metadata.occurredAt,
  actor_id: e.metadata.actorId,
  activity,
  events: [raw(e)],
});

/**
 * Folds a batch in log order. `prior` holds the stored `activity` of every activity id the batch
 * names that has a row (null for a row that is not an activity); rows made earlier in the batch
 * are found in the fold itself.
 */
export function foldTimeline(events: readonly ProjectedEvent[], prior: ReadonlyMap<string, ActivitySnapshot | null>): TimelineFold {
  const fold: TimelineFold = { leadRows: [], activityRows: new Map(), changedLeads: [] };
  for (const event of events) {
    switch (event.type) {
      case 'ActivityLogged': {
        const { data } = event as ProjectedEvent<'ActivityLogged'>;
        if (prior.has(data.activityId) || fold.activityRows.has(data.activityId)) throw new Error(`ActivityLogged for existing activity ${data.activityId}`);
        fold.activityRows.set(data.activityId, rowOf(event, data.activityId, data.leadId, data.type, loggedSnapshot(event as ProjectedEvent<'ActivityLogged'>)));
        fold.changedLeads.push(data.leadId);
        break;
      }
      case 'ActivityUpdated':
      case 'ActivityCompleted':
      case 'ActivityDeleted': {
        const change = event as ActivityChange;
        const id = change.data.activityId;
        let row = fold.activityRows.get(id);
        if (!row) {
          const before = prior.get(id);
          if (!before) throw new Error(`${event.type} for unknown activity ${id}`);
          // Stored already: the conflict keeps its other columns, these only satisfy NOT NULL.
          row = { ...rowOf(change, id, change.data.leadId, before.type ?? 'activity', before), events: [] };
          fold.activityRows.set(id, row);
        }
        row.activity = applyChange(row.activity!, change);
        row.events.push(raw(change));
        row.changed_position = change.checkpoint;
        fold.changedLeads.push(change.data.leadId);
        break;
      }
      default: {
        const match = LEAD_STREAM.exec(event.streamId);
        const kind = timelineKindOf(event.type);
        if (!match || kind === null) break;
        fold.leadRows.push(rowOf(event, event.eventId, match[1], kind, null));
        fold.changedLeads.push(match[1]);
      }
    }
  }
  return fold;
}

function loggedSnapshot(event: ProjectedEvent<'ActivityLogged'>): ActivitySnapshot {
  const d = event.data;
  return {
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
}

function applyChange(before: ActivitySnapshot, event: ActivityChange): ActivitySnapshot {
  const after: ActivitySnapshot = { ...before, version: event.streamVersion };
  if (event.type === 'ActivityUpdated') {
    for (const [field, change] of Object.entries(event.data.changes)) (after as Record<string, unknown>)[field] = change.to;
    after.edited = true;
  } else if (event.type === 'ActivityCompleted') {
    Object.assign(after, { completedAt: event.data.completedAt, outcome: event.data.outcome, durationMinutes: event.data.durationMinutes });
  } else {
    Object.assign(after, { deletedAt: event.metadata.occurredAt, deletedBy: event.metadata.actorId, deleteReason: event.data.reason });
  }
  return after;
}
