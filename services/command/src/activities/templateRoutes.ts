import { activityIdParams, activityTemplateBody, commandAccepted } from '@leadline/contracts';
import type { App, RouteDeps } from '../deps.ts';
import { acceptedAnswer, executeCommand, handleCommand } from '../handler.ts';
import { entityIdFor } from '../ids.ts';
import { changeHeaders, createHeaders, problems } from '../schemas.ts';
import { decideTemplate, templateAggregate } from './templates.ts';

export const templateStream = (id: string): string => `activitytemplate-${id}`;

/** Activity templates ("Discovery call"): admins and managers manage them; everyone uses them to prefill the form. */
export function registerTemplateRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;

  app.post(
    '/api/activity-templates',
    {
      schema: {
        tags: ['activities'],
        summary: 'Create an activity template (admin, manager)',
        headers: createHeaders,
        body: activityTemplateBody,
        response: { 201: commandAccepted, ...problems(400, 401, 403, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'CreateActivityTemplate', async ({ metadata }) => {
        const templateId = entityIdFor(metadata.commandId);
        const outcome = await handleCommand(store, {
          streamId: templateStream(templateId),
          aggregate: templateAggregate,
          metadata,
          decide: (loaded) => decideTemplate({ type: 'SaveTemplate', data: { templateId, template: request.body, create: true }, metadata }, loaded.state),
        });
        return acceptedAnswer(templateId, outcome, 201);
      }),
  );

  app.put(
    '/api/activity-templates/:id',
    {
      schema: {
        tags: ['activities'],
        summary: 'Replace an activity template (admin, manager)',
        headers: changeHeaders,
        params: activityIdParams,
        body: activityTemplateBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'UpdateActivityTemplate', async ({ metadata, ifMatch }) => {
        const templateId = request.params.id;
        const outcome = await handleCommand(store, {
          streamId: templateStream(templateId),
          aggregate: templateAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: (loaded) => decideTemplate({ type: 'SaveTemplate', data: { templateId, template: request.body, create: false }, metadata }, loaded.state),
        });
        return acceptedAnswer(templateId, outcome);
      }),
  );

  app.delete(
    '/api/activity-templates/:id',
    {
      schema: {
        tags: ['activities'],
        summary: 'Delete an activity template (admin, manager)',
        headers: changeHeaders,
        params: activityIdParams,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'DeleteActivityTemplate', async ({ metadata, ifMatch }) => {
        const templateId = request.params.id;
        const outcome = await handleCommand(store, {
          streamId: templateStream(templateId),
          aggregate: templateAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: (loaded) => decideTemplate({ type: 'DeleteTemplate', data: { templateId }, metadata }, loaded.state),
        });
        return acceptedAnswer(templateId, outcome);
      }),
  );
}
