import { activityDetailsByType, completionOutcome, type ActivityType, type CreateActivityBody, type UpdateActivityBody } from '@leadline/contracts';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@leadline/platform';
import type { z } from 'zod';
import type { Actor, CommandMetadata, EventPayload } from '../events.ts';
import { repMayWorkOn, requireChangeableLead } from '../leads/decide.ts';
import type { LeadState } from '../leads/lead.ts';
import { ownerRoles, type UserState } from '../users/user.ts';
import type { ActivityState, LiveActivity } from './activity.ts';

/** Facts the handler read: the activity's lead and, when a user is named, that user. */
export type ActivityContext = { lead: LeadState; user: UserState | null };

export type LogActivity = {
  type: 'LogActivity';
  data: { activityId: string; body: CreateActivityBody; templateId: string | null };
  context: ActivityContext;
  metadata: CommandMetadata;
};
export type UpdateActivity = { type: 'UpdateActivity'; data: { activityId: string; changes: UpdateActivityBody }; context: ActivityContext; metadata: CommandMetadata };
export type CompleteActivity = {
  type: 'CompleteActivity';
  data: { activityId: string; outcome: string | null; durationMinutes: number | null; completedAt?: string };
  context: ActivityContext;
  metadata: CommandMetadata;
};
export type DeleteActivity = { type: 'DeleteActivity'; data: { activityId: string; reason: string | null }; context: ActivityContext; metadata: CommandMetadata };

export type ActivityCommand = LogActivity | UpdateActivity | CompleteActivity | DeleteActivity;
export type ActivityEvent = EventPayload<'ActivityLogged' | 'ActivityUpdated' | 'ActivityCompleted' | 'ActivityDeleted'>;

function assertWriter(actor: Actor): void {
  if (actor.role === 'auditor' || actor.role === 'analyst') throw new ForbiddenError(`The ${actor.role} role cannot change activities`);
}

/**
 * A rep changes an activity given to them, and any activity on a lead they own. An activity they
 * cannot see (not theirs, on another rep's lead) answers 404 like a missing one; a colleague's
 * activity on an unassigned lead, which they can see, 403.
 */
function assertMayChangeActivity(actor: Actor, activity: LiveActivity, context: ActivityContext): void {
  assertWriter(actor);
  if (actor.role !== 'rep' || activity.userId === actor.userId) return;
  const lead = context.lead;
  if (lead.status !== 'active' || !repMayWorkOn(actor, lead)) throw new NotFoundError(`Activity ${activity.id} not found`);
  if (lead.ownerId !== actor.userId) throw new ForbiddenError("A rep may change a colleague's activity only on a lead they own");
}

function assertAssignee(actor: Actor, userId: string, user: UserState | null): void {
  if (actor.role === 'rep' && userId !== actor.userId) throw new ForbiddenError('A rep may give activities only to themselves');
  if (userId === actor.userId) return;
  if (!user || user.status !== 'active' || user.id !== userId || !ownerRoles.includes(user.role))
    throw new IllegalStateError('invalid-user', `User ${userId} does not exist or may not hold activities (admin, manager or rep only)`);
}

/** The activity a command changes: whether this actor may is asked before whether it was deleted. */
function requireActivity(state: ActivityState, id: string, actor: Actor, context: ActivityContext): LiveActivity {
  if (state.status === 'none') throw new NotFoundError(`Activity ${id} not found`);
  assertMayChangeActivity(actor, state, context);
  if (state.status === 'deleted') throw new IllegalStateError('activity-deleted', `Activity ${id} was deleted`);
  return state;
}

const fieldErrors = (prefix: string, error: z.ZodError) => error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].join('.'), message: i.message }));

/** The type's details schema, with the errors named under `body.details`. */
export function parseDetails(type: ActivityType, details: unknown): Record<string, unknown> {
  const parsed = activityDetailsByType[type].safeParse(details ?? {});
  if (!parsed.success) throw new ValidationError(`Invalid details for a ${type}`, fieldErrors('body.details', parsed.error));
  return parsed.data;
}

export function parseOutcome(type: ActivityType, outcome: string | null): string | null {
  if (outcome === null) return null;
  const parsed = completionOutcome[type].safeParse(outcome);
  if (!parsed.success) throw new ValidationError(`Invalid outcome for a ${type}`, fieldErrors('body.outcome', parsed.error));
  return parsed.data;
}

export function logActivity(command: LogActivity, state: ActivityState): ActivityEvent[] {
  const { data, context, metadata } = command;
  const { body } = data;
  assertWriter(metadata.actor);
  if (state.status !== 'none') throw new ConflictError(`Activity ${data.activityId} already exists`, { rule: 'activity-exists' });
  requireChangeableLead(context.lead, body.leadId, metadata.actor);
  const userId = body.userId ?? metadata.actor.userId;
  assertAssignee(metadata.actor, userId, context.user);
  const completion = body.completion && {
    completedAt: body.completion.completedAt ?? metadata.occurredAt,
    outcome: parseOutcome(body.type, body.completion.outcome),
    durationMinutes: body.completion.durationMinutes,
  };
  return [
    {
      type: 'ActivityLogged',
      data: {
        activityId: data.activityId,
        leadId: body.leadId,
        type: body.type,
        userId,
        subject: body.subject,
        description: body.description,
        scheduledAt: body.scheduledAt,
        details: parseDetails(body.type, body.details),
        completion,
        templateId: data.templateId,
      },
    },
  ];
}

/** Order-insensitive for object keys. */
const canonical = (value: unknown): string =>
  JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );

export function updateActivity(command: UpdateActivity, state: ActivityState): ActivityEvent[] {
  const { data, context, metadata } = command;
  const activity = requireActivity(state, data.activityId, metadata.actor, context);
  const wanted: Record<string, unknown> = { ...data.changes };
  if (data.changes.details !== undefined) wanted.details = parseDetails(activity.type, data.changes.details);
  if (data.changes.userId !== undefined && data.changes.userId !== activity.userId) assertAssignee(metadata.actor, data.changes.userId, context.user);
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of ['subject', 'description', 'scheduledAt', 'userId', 'details'] as const) {
    const to = wanted[field];
    if (to === undefined) continue;
    if (canonical(activity[field]) !== canonical(to)) changes[field] = { from: activity[field], to };
  }
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'ActivityUpdated', data: { activityId: activity.id, leadId: activity.leadId, changes } }];
}

export function completeActivity(command: CompleteActivity, state: ActivityState): ActivityEvent[] {
  const { data, context, metadata } = command;
  const activity = requireActivity(state, data.activityId, metadata.actor, context);
  const outcome = parseOutcome(activity.type, data.outcome);
  const completedAt = data.completedAt ?? activity.completion?.completedAt ?? metadata.occurredAt;
  const c = activity.completion;
  if (c && c.outcome === outcome && c.durationMinutes === data.durationMinutes && c.completedAt === completedAt) return [];
  return [{ type: 'ActivityCompleted', data: { activityId: activity.id, leadId: activity.leadId, completedAt, outcome, durationMinutes: data.durationMinutes } }];
}

/** Deleting keeps every event: the timeline shows who deleted it, auditors still read what it said. */
export function deleteActivity(command: DeleteActivity, state: ActivityState): ActivityEvent[] {
  const { data, context, metadata } = command;
  if (state.status === 'none') throw new NotFoundError(`Activity ${data.activityId} not found`);
  assertMayChangeActivity(metadata.actor, state, context);
  if (state.status === 'deleted') return [];
  return [{ type: 'ActivityDeleted', data: { activityId: state.id, leadId: state.leadId, reason: data.reason } }];
}

export function decide(command: ActivityCommand, state: ActivityState): ActivityEvent[] {
  switch (command.type) {
    case 'LogActivity':
      return logActivity(command, state);
    case 'UpdateActivity':
      return updateActivity(command, state);
    case 'CompleteActivity':
      return completeActivity(command, state);
    case 'DeleteActivity':
      return deleteActivity(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown activity command ${JSON.stringify(_exhaustive)}`);
    }
  }
}
