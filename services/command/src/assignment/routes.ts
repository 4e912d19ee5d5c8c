import { autoAssignResponse, commandAccepted, ruleBody, ruleIdParams, ruleOrderBody } from '@leadline/contracts';
import { z } from 'zod';
import type { App, RouteDeps } from '../deps.ts';
import { loadAggregate } from '../events.ts';
import { acceptedAnswer, executeCommand, handleCommand } from '../handler.ts';
import { deterministicId, entityIdFor } from '../ids.ts';
import { loadUser } from '../reads.ts';
import { teamAggregate, teamStream } from '../teams/team.ts';
import { registerBulkAssignRoute } from './bulk.ts';
import { assertManager, deleteRule, reorderRules, saveRule } from './decide.ts';
import { registerRedistributionRoutes } from './redistribute.ts';
import { registerSimulationRoute } from './simulate.ts';
import { routeLead } from './route.ts';
import { RULES_STREAM, ruleSetAggregate } from './ruleSet.ts';
import { changeHeaders, createHeaders, problems } from '../schemas.ts';

const autoAssignBody = z
  .object({ leadIds: z.array(z.uuid()).min(1).max(500).optional(), limit: z.number().int().min(1).max(500).default(200) })
  .strict()
  .default({ limit: 200 });

export function registerAssignmentRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;
  const loadTeam = async (id: string | null | undefined) => (id ? (await loadAggregate(store, teamStream(id), teamAggregate)).state : null);

  const saveRoute = (ruleIdOf: (commandId: string, params: unknown) => string, mustExist: boolean) =>
    (request: { body: z.infer<typeof ruleBody>; params: unknown }, reply: unknown) =>
      executeCommand(request as never, reply as never, deps, 'SaveAssignmentRule', async ({ metadata, ifMatch }) => {
        const ruleId = ruleIdOf(metadata.commandId, request.params);
        const body = request.body;
        const outcome = await handleCommand(store, {
          streamId: RULES_STREAM,
          aggregate: ruleSetAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: async (loaded) => {
            const [team, user] = await Promise.all([loadTeam(body.assignmentType === 'specific_user' ? null : body.teamId), body.userId ? loadUser(store, body.userId) : null]);
            return saveRule(metadata.actor, loaded.state, ruleId, body, { team, user }, mustExist);
          },
        });
        return acceptedAnswer(ruleId, outcome, mustExist ? 200 : 201);
      });

  app.post(
    '/api/assignments/rules',
    {
      schema: {
        tags: ['assignment'],
        summary: 'Create an assignment rule',
        description: 'Rules are tried in priority order (lower first); the first that matches and has an eligible user assigns the lead. Versions are those of the one rule-set stream.',
        headers: createHeaders,
        body: ruleBody,
        response: { 201: commandAccepted, ...problems(400, 401, 403, 409, 503) },
      },
    },
    saveRoute((commandId) => entityIdFor(commandId), false),
  );

  app.put(
    '/api/assignments/rules/:id',
    {
      schema: { tags: ['assignment'], summary: 'Replace an assignment rule', headers: changeHeaders, params: ruleIdParams, body: ruleBody, response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) } },
    },
    saveRoute((_c, params) => (params as { id: string }).id, true),
  );

  app.delete(
    '/api/assignments/rules/:id',
    { schema: { tags: ['assignment'], summary: 'Delete an assignment rule', headers: changeHeaders, params: ruleIdParams, response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) } } },
    (request, reply) =>
      executeCommand(request, reply, deps, 'DeleteAssignmentRule', async ({ metadata, ifMatch }) => {
        const outcome = await handleCommand(store, { streamId: RULES_STREAM, aggregate: ruleSetAggregate, metadata, expectedVersion: ifMatch, decide: (l) => deleteRule(metadata.actor, l.state, request.params.id) });
        return acceptedAnswer(request.params.id, outcome);
      }),
  );

  app.put(
    '/api/assignments/rules-order',
    {
      schema: {
        tags: ['assignment'],
        summary: 'Reorder the rules (drag to reorder)',
        description: 'Names every rule once, first = highest priority; priorities become 10, 20, 30...',
        headers: changeHeaders,
        body: ruleOrderBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'ReorderAssignmentRules', async ({ metadata, ifMatch }) => {
        const outcome = await handleCommand(store, { streamId: RULES_STREAM, aggregate: ruleSetAggregate, metadata, expectedVersion: ifMatch, decide: (l) => reorderRules(metadata.actor, l.state, request.body.ruleIds) });
        return acceptedAnswer(request.body.ruleIds[0], outcome);
      }),
  );

  app.post(
    '/api/leads/auto-assign',
    {
      schema: {
        tags: ['assignment'],
        summary: 'Run the rules over unassigned leads',
        description: 'The named leads, else the oldest unassigned open leads (up to limit). Each lead is routed as a new lead would be, now; the answer reports each outcome and why.',
        headers: createHeaders,
        body: autoAssignBody,
        response: { 200: autoAssignResponse, ...problems(400, 401, 403, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'AutoAssignLeads', async ({ metadata }) => {
        assertManager(metadata.actor, 'run auto-assign');
        const ids = request.body.leadIds ?? (await unassignedLeads(deps, request.body.limit));
        const results = [];
        const streams = [];
        for (const leadId of [...new Set(ids)]) {
          const r = await routeLead(store, deps.pool, {
            id: deterministicId(`auto-assign:${metadata.commandId}:${leadId}`),
            leadId,
            at: metadata.occurredAt,
            correlationId: metadata.correlationId,
            via: 'auto_assign',
            actor: metadata.actor,
          });
          results.push({ leadId, outcome: r.outcome, ownerId: r.ownerId, ruleName: r.ruleName, reason: r.reason });
          if (r.checkpoint) streams.push({ streamId: `lead-${leadId}`, version: 0, checkpoint: r.checkpoint, appended: r.outcome === 'assigned' ? 1 : 0 });
        }
        const checkpoint = streams.reduce((max, s) => (s.checkpoint > max ? s.checkpoint : max), '');
        return { status: 200, body: { results, checkpoint }, streams };
      }),
  );
  registerBulkAssignRoute(app, deps);
  registerRedistributionRoutes(app, deps);
  registerSimulationRoute(app, deps);
}

async function unassignedLeads(deps: RouteDeps, limit: number): Promise<string[]> {
  const { rows } = await deps.pool.query<{ id: string }>(
    `SELECT l.id FROM read.leads l JOIN read.stages s ON s.id = l.stage_id WHERE l.owner_id IS NULL AND NOT s.is_won AND NOT s.is_lost ORDER BY l.created_at, l.id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}
