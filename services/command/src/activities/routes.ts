import {
  activityIdParams,
  bulkActivitiesBody,
  bulkActivitiesResponse,
  commandAccepted,
  completeActivityBody,
  createActivityBody,
  deleteActivityBody,
  updateActivityBody,
  type CreateActivityBody,
} from '@leadline/contracts';
import { ValidationError } from '@leadline/platform';
import type { App, RouteDeps } from '../deps.ts';
import { loadAggregate, type CommandMetadata } from '../events.ts';
import { accepted, acceptedAnswer, alreadyApplied, appendDecided, executeCommand, handleCommand, withConflictRetry, type StreamOutcome } from '../handler.ts';
import { deterministicId, entityIdFor } from '../ids.ts';
import { leadAggregate } from '../leads/lead.ts';
import { leadStream, loadUser } from '../reads.ts';
import { changeHeaders, createHeaders, problems } from '../schemas.ts';
import { activityAggregate, type ActivityState } from './activity.ts';
import { decide, type ActivityCommand, type ActivityContext } from './decide.ts';
import { registerTemplateRoutes } from './templateRoutes.ts';

export const activityStream = (id: string): string => `activity-${id}`;


type Decision = (state: ActivityState, context: ActivityContext) => ActivityCommand;

export function registerActivityRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;

  /** The activity's lead (its own stream: a lead's activities are never read to decide this) and the named user. */
  const contextFor = async (leadId: string | null, userId: string | undefined): Promise<ActivityContext> => {
    const [lead, user] = await Promise.all([
      leadId ? loadAggregate(store, leadStream(leadId), leadAggregate).then((l) => l.state) : leadAggregate.initialState,
      userId ? loadUser(store, userId) : null,
    ]);
    return { lead, user };
  };

  const onActivity = (activityId: string, metadata: CommandMetadata, ifMatch: number | undefined, userId: string | undefined, command: Decision) =>
    handleCommand(store, {
      streamId: activityStream(activityId),
      aggregate: activityAggregate,
      metadata,
      expectedVersion: ifMatch,
      decide: async (loaded) => {
        const leadId = loaded.state.status === 'none' ? null : loaded.state.leadId;
        return decide(command(loaded.state, await contextFor(leadId, userId)), loaded.state);
      },
    });

  const logCommand = (activityId: string, body: CreateActivityBody, metadata: CommandMetadata) => (context: ActivityContext): ActivityCommand => ({
    type: 'LogActivity',
    data: { activityId, body, templateId: body.templateId ?? null },
    context,
    metadata,
  });

  app.post(
    '/api/activities',
    {
      schema: {
        tags: ['activities'],
        summary: 'Log an activity on a lead',
        description:
          'A call, email, meeting, note, task or sms, with type-specific `details`. `completion` logs something already done (its outcome is checked against the type). Each activity is its own stream `activity-<id>`. Refused on a lead that does not exist or was deleted; allowed on won and lost leads.',
        headers: createHeaders,
        body: createActivityBody,
        response: { 201: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'LogActivity', async ({ metadata }) => {
        const body = request.body;
        const activityId = body.id ?? entityIdFor(metadata.commandId);
        const outcome = await handleCommand(store, {
          streamId: activityStream(activityId),
          aggregate: activityAggregate,
          metadata,
          decide: async (loaded) => decide(logCommand(activityId, body, metadata)(await contextFor(body.leadId, body.userId)), loaded.state),
        });
        return acceptedAnswer(activityId, outcome, 201);
      }),
  );

  app.post(
    '/api/activities/bulk',
    {
      schema: {
        tags: ['activities'],
        summary: 'Log many activities, all or nothing',
        description:
          'Every item is validated and decided before anything is appended: any refusal answers 400 (schema) or 422 with `errors` naming each failing item (`body.activities.3.leadId`), and nothing is logged. Each activity is its own stream, so the appends are not one transaction: a retry with the same Idempotency-Key finishes an interrupted batch.',
        headers: createHeaders,
        body: bulkActivitiesBody,
        response: { 200: bulkActivitiesResponse, ...problems(400, 401, 403, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'LogActivities', async ({ metadata }) => {
        const items = request.body.activities.map((body, i) => ({ body, activityId: body.id ?? deterministicId(`entity:${metadata.commandId}:activity:${i}`) }));
        const seen = new Set<string>();
        const duplicates = items.flatMap((item, i) => (seen.has(item.activityId) ? [{ field: `body.activities.${i}.id`, message: 'the same id twice' }] : (seen.add(item.activityId), [])));
        if (duplicates.length) throw new ValidationError('Duplicate activity ids', duplicates);
        const outcomes = await withConflictRetry(false, async () => {
          const plans = await Promise.all(
            items.map(async ({ body, activityId }, i) => {
              const loaded = await loadAggregate(store, activityStream(activityId), activityAggregate);
              const done = alreadyApplied(loaded, metadata.commandId);
              if (done) return { loaded, done, events: [], error: null };
              try {
                const events = decide(logCommand(activityId, body, metadata)(await contextFor(body.leadId, body.userId)), loaded.state);
                return { loaded, done: undefined, events, error: null };
              } catch (err) {
                return { loaded, done: undefined, events: [], error: { index: i, err } };
              }
            }),
          );
          const failures = plans.flatMap((p) => (p.error ? [p.error] : []));
          if (failures.length) throw bulkRefusal(failures);
          const results: StreamOutcome[] = [];
          for (const plan of plans) results.push(plan.done ?? (await appendDecided(store, plan.loaded, plan.events, metadata, { scope: plan.loaded.streamId })));
          return results;
        });
        const results = outcomes.map((o, i) => accepted(items[i].activityId, o));
        const checkpoint = results.reduce((max, r) => (r.checkpoint > max ? r.checkpoint : max), '');
        return { status: 200, body: { results, checkpoint }, streams: outcomes };
      }),
  );

  app.put(
    '/api/activities/:id',
    {
      schema: {
        tags: ['activities'],
        summary: 'Edit an activity',
        description: 'Records the fields that change (`details` is validated against the activity type). A deleted activity cannot be edited (422 `activity-deleted`).',
        headers: changeHeaders,
        params: activityIdParams,
        body: updateActivityBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'UpdateActivity', async ({ metadata, ifMatch }) => {
        const activityId = request.params.id;
        const outcome = await onActivity(activityId, metadata, ifMatch, request.body.userId, (_s, context) => ({
          type: 'UpdateActivity',
          data: { activityId, changes: request.body },
          context,
          metadata,
        }));
        return acceptedAnswer(activityId, outcome);
      }),
  );

  app.put(
    '/api/activities/:id/complete',
    {
      schema: {
        tags: ['activities'],
        summary: 'Complete an activity',
        description: '`outcome` must be one of the type\'s outcomes (a call: successful, no_answer, busy, left_voicemail, wrong_number, follow_up_required). Completing again corrects the outcome or duration.',
        headers: changeHeaders,
        params: activityIdParams,
        body: completeActivityBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'CompleteActivity', async ({ metadata, ifMatch }) => {
        const activityId = request.params.id;
        const outcome = await onActivity(activityId, metadata, ifMatch, undefined, (_s, context) => ({
          type: 'CompleteActivity',
          data: { activityId, ...request.body },
          context,
          metadata,
        }));
        return acceptedAnswer(activityId, outcome);
      }),
  );

  app.delete(
    '/api/activities/:id',
    {
      schema: {
        tags: ['activities'],
        summary: 'Delete an activity',
        description: 'Appends ActivityDeleted: the activity leaves lists, the timeline shows who deleted it, and auditors still read what it said. Deleting again changes nothing.',
        headers: changeHeaders,
        params: activityIdParams,
        body: deleteActivityBody.nullish(),
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'DeleteActivity', async ({ metadata, ifMatch }) => {
        const activityId = request.params.id;
        const outcome = await onActivity(activityId, metadata, ifMatch, undefined, (_s, context) => ({
          type: 'DeleteActivity',
          data: { activityId, reason: request.body?.reason ?? null },
          context,
          metadata,
        }));
        return acceptedAnswer(activityId, outcome);
      }),
  );

  registerTemplateRoutes(app, deps);
}

/**
 * All or nothing: any refused item refuses the batch with a 400 naming every failing item's field
 * (`body.activities.3.leadId`), whatever the reason (unknown lead, not yours, unknown user).
 * Anything that is not a domain refusal (a store outage) is thrown as it is.
 */
function bulkRefusal(failures: { index: number; err: unknown }[]): Error {
  const unexpected = failures.find((f) => !(f.err instanceof Error) || !DOMAIN_ERRORS.has(f.err.name));
  if (unexpected) return unexpected.err as Error;
  const errors = failures.flatMap(({ index, err }) => {
    const prefix = `body.activities.${index}`;
    const e = err as Error & { rule?: string };
    if (err instanceof ValidationError) return err.errors.map((f) => ({ field: f.field.replace(/^body/, prefix), message: f.message }));
    const field = e.name === 'NotFoundError' || e.name === 'ForbiddenError' ? 'leadId' : e.rule === 'invalid-user' ? 'userId' : 'id';
    return [{ field: `${prefix}.${field}`, message: e.message }];
  });
  return new ValidationError(`${failures.length} of the activities were refused; nothing was logged`, errors);
}

const DOMAIN_ERRORS = new Set(['ValidationError', 'NotFoundError', 'ForbiddenError', 'IllegalStateError', 'ConflictError']);
