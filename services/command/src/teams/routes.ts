import { availabilityBody, capacityBody, commandAccepted, teamBody, userIdParams } from '@leadline/contracts';
import { z } from 'zod';
import { availabilityStream } from '../assignment/availability.ts';
import { saveTeam, setAvailability, setCapacity } from '../assignment/decide.ts';
import type { App, RouteDeps } from '../deps.ts';
import { acceptedAnswer, executeCommand, handleCommand } from '../handler.ts';
import { entityIdFor } from '../ids.ts';
import { loadUser } from '../reads.ts';
import { changeHeaders, createHeaders, problems } from '../schemas.ts';
import { teamAggregate, teamStream } from './team.ts';

const routingAggregate = { initialState: null, eventTypes: [], evolve: (s: null) => s };

export function registerTeamRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;
  const save = (mustExist: boolean) => (request: { body: z.infer<typeof teamBody>; params?: unknown }, reply: unknown) =>
    executeCommand(request as never, reply as never, deps, 'SaveTeam', async ({ metadata, ifMatch }) => {
      const teamId = mustExist ? (request.params as { id: string }).id : entityIdFor(metadata.commandId);
      const outcome = await handleCommand(store, {
        streamId: teamStream(teamId),
        aggregate: teamAggregate,
        metadata,
        expectedVersion: ifMatch,
        decide: async (loaded) => saveTeam(metadata.actor, loaded.state, teamId, request.body, await Promise.all(request.body.memberIds.map((id) => loadUser(store, id))), mustExist),
      });
      return acceptedAnswer(teamId, outcome, mustExist ? 200 : 201);
    });

  app.post(
    '/api/teams',
    { schema: { tags: ['assignment'], summary: 'Create a team', headers: createHeaders, body: teamBody, response: { 201: commandAccepted, ...problems(400, 401, 403, 409, 503) } } },
    save(false),
  );
  app.put(
    '/api/teams/:id',
    {
      schema: { tags: ['assignment'], summary: 'Rename a team or change its members (members in turn order)', headers: changeHeaders, params: z.object({ id: z.uuid() }), body: teamBody, response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) } },
    },
    save(true),
  );

  app.put(
    '/api/users/:id/availability',
    {
      schema: {
        tags: ['assignment'],
        summary: "Set a user's availability",
        description: 'away with optional from/until: no automatic assignments while away; the period ends by itself at until. Users set their own; admins and managers set anyone\'s.',
        headers: changeHeaders,
        params: userIdParams,
        body: availabilityBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'SetAvailability', async ({ metadata, ifMatch }) => {
        const userId = request.params.id;
        const outcome = await handleCommand(store, {
          streamId: availabilityStream(userId),
          aggregate: routingAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: async () => setAvailability(metadata.actor, await loadUser(store, userId), userId, request.body),
        });
        return acceptedAnswer(userId, outcome);
      }),
  );

  app.put(
    '/api/users/:id/capacity',
    {
      schema: {
        tags: ['assignment'],
        summary: "Set a user's cap on open leads (null: no cap)",
        headers: changeHeaders,
        params: userIdParams,
        body: capacityBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'SetCapacity', async ({ metadata, ifMatch }) => {
        const userId = request.params.id;
        const outcome = await handleCommand(store, {
          streamId: availabilityStream(userId),
          aggregate: routingAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: async () => setCapacity(metadata.actor, await loadUser(store, userId), userId, request.body.maxOpenLeads),
        });
        return acceptedAnswer(userId, outcome);
      }),
  );
}
