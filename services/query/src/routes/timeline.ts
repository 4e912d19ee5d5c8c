import { leadIdParams, timelinePage, timelineQuery } from '@leadline/contracts';
import { NotFoundError } from '@leadline/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { readTimeline } from '../activities/timeline.ts';
import { requirePrincipal } from '../principal.ts';
import { LEAD_CARDS, STAGES, USERS } from '../projections.ts';
import { getLead } from '../read/leads.ts';
import { scopeFor } from '../read/visibility.ts';
import { metaHeaders, type RouteContext } from './context.ts';

export const TIMELINE = 'timeline';
const READS = [TIMELINE, LEAD_CARDS, USERS, STAGES];

export function registerTimelineRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/leads/:id/timeline',
    {
      schema: {
        summary: "A lead's timeline: every activity and every lead event, newest first",
        description:
          'Read from the events themselves: one entry per lead event and one per activity (its current state; `raw` holds every event behind an entry, for admins, managers and auditors). Field permissions: a change of a field hidden from you has no `from`/`to` and its words name no value; raw events are redacted alike for everyone but auditors. `kinds` filters (call, email, meeting, note, task, sms, created, updated, stage, assignment, other). `cursor` pages; `changedSince=<checkpoint>` answers the entries created or changed after it (the live refresh, at most 500, no paging). A deleted activity stays, saying who deleted it; only auditors, managers and admins still see what it said.',
        tags: ['activities'],
        params: leadIdParams,
        querystring: timelineQuery,
        response: { 200: timelinePage },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const { minCheckpoint, ...filter } = request.query;
      const meta = await ctx.tracker.waitFor(READS, minCheckpoint);
      const leadId = request.params.id;
      const lead = await getLead(ctx.pool, scopeFor(principal, ctx.repVisibility), leadId);
      if (!lead) throw new NotFoundError(`No lead ${leadId}`);
      const page = await readTimeline(ctx.pool, principal, leadId, filter, { view: await ctx.fields.viewFor(principal), ownerId: lead.ownerId });
      metaHeaders(reply, meta);
      return { leadId, ...page, ...meta };
    },
  );
}
