import type { ProjectedEvent } from '../../engine/types.ts';

export const activitiesEventTypes = ['ActivityLogged', 'ActivityUpdated', 'ActivityCompleted', 'ActivityDeleted', 'ActivityTemplateSaved', 'ActivityTemplateDeleted'] as const;
export type ActivitiesEventType = (typeof activitiesEventTypes)[number];

/** A row of `activities` without its generated `search`, as `to_jsonb` gives it (timestamps as text). */
export type ActivityRow = {
  id: string;
  lead_id: string;
  type: string;
  user_id: string | null;
  created_by: string;
  subject: string | null;
  description: string | null;
  scheduled_at: string | null;
  details: unknown;
  completed_at: string | null;
  outcome: string | null;
  duration_minutes: number | null;
  template_id: string | null;
  deleted_at: string | null;
  deleted_by: string | null;
  delete_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
};

export type TemplateRow = {
  id: string;
  name: string;
  type: string;
  subject: string;
  description: string | null;
  duration_minutes: number | null;
  details: Record<string, unknown>;
  updated_at: string;
};

export type ActivitiesFold = {
  /** The rows the batch changed, in their final state. */
  activities: Map<string, ActivityRow>;
  /** Templates saved (their final row) or deleted (null) by the batch. */
  templates: Map<string, TemplateRow | null>;
  changed: [view: string, key: string][];
};

const UPDATABLE: Record<string, 'subject' | 'description' | 'scheduled_at' | 'user_id' | 'details'> = {
  subject: 'subject',
  description: 'description',
  scheduledAt: 'scheduled_at',
  userId: 'user_id',
  details: 'details',
};

/** A value as the driver would have sent it as a text parameter; the column's type parses it when written. */
const asParam = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);

/**
 * Folds a batch in log order. `prior` holds the stored rows of the activities the batch names;
 * a change of an activity found neither there nor earlier in the batch changes nothing, as the
 * UPDATE it used to be did.
 */
export function foldActivities(events: readonly ProjectedEvent<ActivitiesEventType>[], prior: ReadonlyMap<string, ActivityRow>): ActivitiesFold {
  const fold: ActivitiesFold = { activities: new Map(), templates: new Map(), changed: [] };
  const current = (id: string): ActivityRow | undefined => {
    const row = fold.activities.get(id) ?? (prior.has(id) ? { ...prior.get(id)! } : undefined);
    if (row) fold.activities.set(id, row);
    return row;
  };
  for (const event of events) {
    const at = event.metadata.occurredAt;
    switch (event.type) {
      case 'ActivityLogged': {
        const d = event.data;
        if (prior.has(d.activityId) || fold.activities.has(d.activityId)) throw new Error(`ActivityLogged for existing activity ${d.activityId}`);
        fold.activities.set(d.activityId, {
          id: d.activityId,
          lead_id: d.leadId,
          type: d.type,
          user_id: d.userId,
          created_by: event.metadata.actorId,
          subject: d.subject,
          description: d.description,
          scheduled_at: d.scheduledAt,
          details: d.details,
          completed_at: d.completion?.completedAt ?? null,
          outcome: d.completion?.outcome ?? null,
          duration_minutes: d.completion?.durationMinutes ?? null,
          template_id: d.templateId,
          deleted_at: null,
          deleted_by: null,
          delete_reason: null,
          version: event.streamVersion,
          created_at: at,
          updated_at: at,
        });
        fold.changed.push(['activities', d.activityId]);
        break;
      }
      case 'ActivityUpdated': {
        const changes = Object.entries(event.data.changes).map(([field, change]) => {
          const column = UPDATABLE[field];
          if (!column) throw new Error(`ActivityUpdated: unknown field ${field}`);
          return [column, column === 'details' ? change.to : asParam(change.to)] as const;
        });
        const row = current(event.data.activityId);
        if (row) Object.assign(row, Object.fromEntries(changes), { version: event.streamVersion, updated_at: at });
        fold.changed.push(['activities', event.data.activityId]);
        break;
      }
      case 'ActivityCompleted': {
        const { activityId, completedAt, outcome, durationMinutes } = event.data;
        const row = current(activityId);
        if (row) Object.assign(row, { completed_at: completedAt, outcome, duration_minutes: durationMinutes, version: event.streamVersion, updated_at: at });
        fold.changed.push(['activities', activityId]);
        break;
      }
      case 'ActivityDeleted': {
        const row = current(event.data.activityId);
        if (row) Object.assign(row, { deleted_at: at, deleted_by: event.metadata.actorId, delete_reason: event.data.reason, version: event.streamVersion, updated_at: at });
        fold.changed.push(['activities', event.data.activityId]);
        break;
      }
      case 'ActivityTemplateSaved': {
        const { templateId, name, type, subject, description, durationMinutes, details } = event.data;
        fold.templates.set(templateId, { id: templateId, name, type, subject, description, duration_minutes: durationMinutes, details, updated_at: at });
        fold.changed.push(['activity_templates', templateId]);
        break;
      }
      case 'ActivityTemplateDeleted':
        fold.templates.set(event.data.templateId, null);
        fold.changed.push(['activity_templates', event.data.templateId]);
        break;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }
  return fold;
}
