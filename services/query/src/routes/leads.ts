import { leadDto, leadIdParams, leadListQuery, leadPage, minCheckpointQuery, queryMeta } from '@leadline/contracts';
import { auditContext, recordAudit } from '@leadline/command';
import { NotFoundError } from '@leadline/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { redactLead } from '../fields/redact.ts';
import { RecentRestrictedReads, restrictedFieldsShown } from '../fields/restrictedRead.ts';
import { requirePrincipal } from '../principal.ts';
import { LEAD_CARDS, USERS } from '../projections.ts';
import { getLead, listLeads } from '../read/leads.ts';
import { scopeFor } from '../read/visibility.ts';
import { metaHeaders, type RouteContext } from './context.ts';

const READS = [LEAD_CARDS, USERS];
const leadAnswer = leadDto.extend(queryMeta.shape);

export function registerLeadRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const recorded = new RecentRestrictedReads();

  r.get(
    '/api/leads',
    {
      schema: {
        summary: 'Leads, newest first, with filters and cursor paging',
        description: '`q` matches name, company and email (case-insensitive, literal), each only where you may see it. `ownerId=none` lists unassigned leads. Fields hidden from you by the field permissions are absent; `readOnlyFields` names those you may see but not change.',
        tags: ['leads'],
        querystring: leadListQuery,
        response: { 200: leadPage },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const { minCheckpoint, ...filter } = request.query;
      const meta = await ctx.tracker.waitFor(READS, minCheckpoint);
      const fields = await ctx.fields.viewFor(principal);
      const page = await listLeads(ctx.pool, scopeFor(principal, ctx.repVisibility), filter, fields);
      metaHeaders(reply, meta);
      return { ...page, items: page.items.map((lead) => redactLead(fields, lead)), ...meta };
    },
  );

  r.get(
    '/api/leads/:id',
    {
      schema: {
        summary: 'One lead',
        description:
          'A `leadDto` plus `checkpoint` and `stale`. 404 also when the lead is not visible to you (existence is not revealed). A read that shows restricted fields (hidden from some role by the field permissions, or a custom field not granted to all) is recorded first as a `restricted_read` audit event naming them (once per session, lead and set of fields in 10 minutes).',
        tags: ['leads'],
        params: leadIdParams,
        querystring: minCheckpointQuery,
        response: { 200: leadAnswer },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const meta = await ctx.tracker.waitFor(READS, request.query.minCheckpoint);
      const lead = await getLead(ctx.pool, scopeFor(principal, ctx.repVisibility), request.params.id);
      if (!lead) throw new NotFoundError(`No lead ${request.params.id}`);
      const view = await ctx.fields.viewFor(principal);
      const shown = redactLead(view, lead);
      const restricted = restrictedFieldsShown(view, shown);
      // Recorded before the answer leaves: a read that cannot be audited is not served.
      if (restricted.length > 0 && recorded.firstIn(principal.sessionId, lead.id, restricted)) {
        await recordAudit(ctx.pool, auditContext(request, principal), { kind: 'restricted_read', subject: { type: 'lead', id: lead.id }, detail: { fields: restricted } }).catch((err: unknown) => {
          recorded.forget(principal.sessionId, lead.id, restricted);
          throw err;
        });
      }
      metaHeaders(reply, meta);
      return { ...shown, ...meta };
    },
  );
}
