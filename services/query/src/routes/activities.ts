import { activityListQuery, activityPage, activityTemplateDto, leadIdParams, minCheckpointQuery } from '@leadline/contracts';
import { NotFoundError } from '@leadline/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listActivities, listTemplates } from '../activities/read.ts';
import { mayAudit } from '../activities/timeline.ts';
import { requirePrincipal } from '../principal.ts';
import { ACTIVITIES, LEAD_CARDS, USERS } from '../projections.ts';
import { getLead } from '../read/leads.ts';
import { scopeFor } from '../read/visibility.ts';
import { metaHeaders, type RouteContext } from './context.ts';

const READS = [ACTIVITIES, LEAD_CARDS, USERS];

const LIST_DESCRIPTION =
  'Filters: `leadId`, `userId` (who does it), `type` (comma list), `from`/`to` (created time; scheduled time with `order=scheduled`), `completed`, `q` (word prefixes in subject and description, all required). `order=scheduled` lists activities with a scheduled time, soonest first (with `completed=false` and `from=now`: the upcoming view). Deleted activities are left out; `includeDeleted=true` shows them to admins, managers and auditors. Reps who see only their own leads see activities on those and unassigned leads, and activities given to them.';

export function registerActivityRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const lists = [
    { url: '/api/activities', summary: 'Activities, with filters and cursor paging', fixed: () => ({}) },
    { url: '/api/leads/:id/activities', summary: "A lead's activities", fixed: (id: string) => ({ leadId: id }) },
    { url: '/api/users/:id/activities', summary: "A user's activities (those given to them)", fixed: (id: string) => ({ userId: id }) },
  ] as const;

  for (const list of lists) {
    const byId = list.url.includes(':id');
    r.get(
      list.url,
      {
        schema: {
          summary: list.summary,
          description: LIST_DESCRIPTION + (byId ? ' 404 when the lead or user is unknown or not visible to you.' : ''),
          tags: ['activities'],
          ...(byId ? { params: leadIdParams } : {}),
          querystring: activityListQuery,
          response: { 200: activityPage },
        },
      },
      async (request, reply) => {
        const principal = await requirePrincipal(request, ctx.sessions);
        const { minCheckpoint, includeDeleted, ...filter } = request.query;
        const meta = await ctx.tracker.waitFor(READS, minCheckpoint);
        const scope = scopeFor(principal, ctx.repVisibility);
        const id = (request.params as { id?: string }).id;
        if (id && list.url.startsWith('/api/leads') && !(await getLead(ctx.pool, scope, id))) throw new NotFoundError(`No lead ${id}`);
        if (id && list.url.startsWith('/api/users')) {
          const { rowCount } = await ctx.pool.query('SELECT 1 FROM read.users WHERE id = $1::uuid', [id]);
          if (!rowCount) throw new NotFoundError(`No user ${id}`);
        }
        const fields = await ctx.fields.viewFor(principal);
        const page = await listActivities(ctx.pool, scope, { ...filter, ...(id ? list.fixed(id) : {}), includeDeleted: Boolean(includeDeleted) && mayAudit(principal) }, fields);
        metaHeaders(reply, meta);
        return { ...page, ...meta };
      },
    );
  }

  r.get(
    '/api/activity-templates',
    {
      schema: {
        summary: 'Activity templates, by name',
        description: 'Everyone signed in may read them (they prefill the activity form). Checkpoint in `X-Checkpoint`.',
        tags: ['activities'],
        querystring: minCheckpointQuery,
        response: { 200: z.array(activityTemplateDto) },
      },
    },
    async (request, reply) => {
      await requirePrincipal(request, ctx.sessions);
      const meta = await ctx.tracker.waitFor([ACTIVITIES], request.query.minCheckpoint);
      const templates = await listTemplates(ctx.pool);
      metaHeaders(reply, meta);
      return templates;
    },
  );
}
