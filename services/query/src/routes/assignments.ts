import { assignmentHistory as historySchema, availabilityDto, redistributionDto, leadIdParams, minCheckpointQuery, ruleDto, teamDto, workload } from '@leadline/contracts';
import { NotFoundError } from '@leadline/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { redactMatched } from '../fields/events.ts';
import { ownerSumsShown, withoutHiddenSums } from '../fields/sums.ts';
import { requirePrincipal } from '../principal.ts';
import { ASSIGNMENTS, LEAD_CARDS, STAGES, USERS } from '../projections.ts';
import { assignmentHistory, listRedistributions, listRouting, listRules, listTeams, workloadAt } from '../read/assignments.ts';
import { getLead } from '../read/leads.ts';
import { scopeFor } from '../read/visibility.ts';
import { metaHeaders, type RouteContext } from './context.ts';

export { ASSIGNMENTS } from '../projections.ts';

export function registerAssignmentRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/teams',
    { schema: { summary: 'Every team with its members (in turn order)', tags: ['assignment'], querystring: minCheckpointQuery, response: { 200: z.array(teamDto) } } },
    async (request, reply) => {
      await requirePrincipal(request, ctx.sessions);
      metaHeaders(reply, await ctx.tracker.waitFor([ASSIGNMENTS], request.query.minCheckpoint));
      return listTeams(ctx.pool);
    },
  );

  r.get(
    '/api/assignments/rules',
    { schema: { summary: 'Assignment rules in evaluation order', tags: ['assignment'], querystring: minCheckpointQuery, response: { 200: z.array(ruleDto) } } },
    async (request, reply) => {
      await requirePrincipal(request, ctx.sessions);
      metaHeaders(reply, await ctx.tracker.waitFor([ASSIGNMENTS], request.query.minCheckpoint));
      return listRules(ctx.pool);
    },
  );

  r.get(
    '/api/users/availability',
    { schema: { summary: "Users' availability and caps as set (users never set are available without a cap)", tags: ['assignment'], querystring: minCheckpointQuery, response: { 200: z.array(availabilityDto) } } },
    async (request, reply) => {
      await requirePrincipal(request, ctx.sessions);
      metaHeaders(reply, await ctx.tracker.waitFor([ASSIGNMENTS], request.query.minCheckpoint));
      return listRouting(ctx.pool);
    },
  );

  r.get(
    '/api/leads/:id/assignment-history',
    {
      schema: {
        summary: "A lead's assignments, newest first, in words",
        description: 'Each entry: previous and new owner, who or what assigned it (a user, the routing rules, auto-assign), the rule and the conditions that matched; and routing decisions that left the lead unassigned, with why.',
        tags: ['assignment'],
        params: leadIdParams,
        querystring: minCheckpointQuery,
        response: { 200: historySchema },
      },
    },
    async (request) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const meta = await ctx.tracker.waitFor([ASSIGNMENTS, LEAD_CARDS, USERS], request.query.minCheckpoint);
      const lead = await getLead(ctx.pool, scopeFor(principal, ctx.repVisibility), request.params.id);
      if (!lead) throw new NotFoundError(`No lead ${request.params.id}`);
      const fields = await ctx.fields.viewFor(principal);
      // Rule conditions on a field hidden from the reader name the field, not the value it was compared with.
      const items = (await assignmentHistory(ctx.pool, request.params.id)).map((e) => ({
        ...e,
        ...redactMatched(fields, lead.ownerId, e.matched, e.reason),
        summary: redactMatched(fields, lead.ownerId, e.matched, e.summary).reason,
      }));
      return { items, ...meta };
    },
  );

  r.get(
    '/api/assignments/redistributions',
    { schema: { summary: 'Redistributions, newest first (50), with whether each was undone', tags: ['assignment'], querystring: minCheckpointQuery, response: { 200: z.array(redistributionDto) } } },
    async (request, reply) => {
      await requirePrincipal(request, ctx.sessions);
      metaHeaders(reply, await ctx.tracker.waitFor([ASSIGNMENTS], request.query.minCheckpoint));
      return listRedistributions(ctx.pool);
    },
  );

  r.get(
    '/api/assignments/workload',
    {
      schema: {
        summary: 'Per user: open leads by stage, total and weighted value, rotting leads, cap and availability (now)',
        description: 'A rep who sees only their own leads (REP_VISIBILITY=own) gets only their own row: other reps\' totals are theirs.',
        tags: ['assignment'],
        querystring: minCheckpointQuery,
        response: { 200: workload },
      },
    },
    async (request) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const meta = await ctx.tracker.waitFor([ASSIGNMENTS, LEAD_CARDS, STAGES, USERS], request.query.minCheckpoint);
      const at = new Date();
      const scope = scopeFor(principal, ctx.repVisibility);
      const fields = await ctx.fields.viewFor(principal);
      const rows = await workloadAt(ctx.pool, at, scope.kind === 'own' ? scope.userId : undefined);
      // Each row sums one user's leads: their deal values are shown only where the reader may see them.
      return { items: rows.map((row) => withoutHiddenSums(ownerSumsShown(fields, row.userId), row)), at: at.toISOString(), ...meta };
    },
  );
}
