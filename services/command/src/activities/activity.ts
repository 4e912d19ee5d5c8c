import type { ActivityType, Completion } from '@leadline/contracts';
import type { EventPayload } from '../events.ts';

export type ActivityFields = {
  subject: string;
  description: string | null;
  scheduledAt: string | null;
  userId: string;
  details: Record<string, unknown>;
};

export type LiveActivity = ActivityFields & {
  status: 'active' | 'deleted';
  id: string;
  leadId: string;
  type: ActivityType;
  completion: Completion | null;
};

export type ActivityState = { status: 'none' } | LiveActivity;

export const initialState: ActivityState = { status: 'none' };

/** Streams `activity-<id>`: an activity never lives in its lead's stream (docs/activities.md). */
export const activityEventTypes = ['ActivityLogged', 'ActivityUpdated', 'ActivityCompleted', 'ActivityDeleted'] as const;
export type ActivityEvent = EventPayload<(typeof activityEventTypes)[number]>;

export function evolve(state: ActivityState, event: ActivityEvent): ActivityState {
  switch (event.type) {
    case 'ActivityLogged': {
      const { activityId, leadId, type, userId, subject, description, scheduledAt, details, completion } = event.data;
      return { status: 'active', id: activityId, leadId, type, userId, subject, description, scheduledAt, details, completion };
    }
    case 'ActivityUpdated': {
      if (state.status === 'none') return state;
      const next = { ...state } as Record<string, unknown>;
      for (const [field, change] of Object.entries(event.data.changes)) if (field in state) next[field] = change.to;
      return next as LiveActivity;
    }
    case 'ActivityCompleted': {
      if (state.status === 'none') return state;
      const { completedAt, outcome, durationMinutes } = event.data;
      return { ...state, completion: { completedAt, outcome, durationMinutes } };
    }
    case 'ActivityDeleted':
      if (state.status === 'none') return state;
      return { ...state, status: 'deleted' };
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const activityAggregate = { initialState, eventTypes: activityEventTypes, evolve };
