import { globalSearchQuery, leadDto, leadIdParams, leadListQuery, leadPage, minCheckpointQuery, queryMeta, searchResults } from '@leadline/contracts';
import { auditContext, recordAudit } from '@leadline/command';
import { NotFoundError } from '@leadline/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { redactLead } from '../fields/redact.ts';
import { RecentRestrictedReads, restrictedFieldsShown } from '../fields/restrictedRead.ts';
import { refuseHiddenFilters } from '../fields/search.ts';
import { requirePrincipal } from '../principal.ts';
import { ACTIVITIES, LEAD_CARDS, STAGES, USERS } from '../projections.ts';
import { getLead, listLeads } from '../read/leads.ts';
import { refuseHiddenSort } from '../read/leadSort.ts';
import { searchActivities, searchLeads } from '../read/search.ts';
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
        summary: 'Leads, sorted by a column, with the board\'s filters and keyset paging',
        description:
          'Filters as the board takes them (`ownerId` or `none`, `source`, `minValue`, `maxValue`, `q`: name, company and email) plus `stageId`. `sort`: name, company, value, stage (pipeline order), owner (name), createdAt (default), updatedAt; `dir` asc or desc (default: desc for dates and value, else asc); ties are broken by id and empty values come last ascending. `nextCursor` continues the same sort only (400 otherwise); it is opaque. A rep sees their own and unassigned leads (unless REP_VISIBILITY=all). Field permissions: fields hidden from you are absent, `q` never matches a hidden value, and filtering or sorting by a field hidden from you on some leads is refused (400 naming the parameter). `readOnlyFields` names those you may see but not change.',
        tags: ['leads'],
        querystring: leadListQuery,
        response: { 200: leadPage },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const { minCheckpoint, ...filter } = request.query;
      const fields = await ctx.fields.viewFor(principal);
      refuseHiddenFilters(fields, request.query);
      refuseHiddenSort(fields, filter.sort);
      const meta = await ctx.tracker.waitFor(filter.sort === 'stage' ? [...READS, STAGES] : READS, minCheckpoint);
      const page = await listLeads(ctx.pool, scopeFor(principal, ctx.repVisibility), filter, fields);
      metaHeaders(reply, meta);
      return { ...page, items: page.items.map((lead) => redactLead(fields, lead)), ...meta };
    },
  );

  r.get(
    '/api/search',
    {
      schema: {
        summary: 'Global search: up to 10 leads and 10 activities',
        description:
          'Leads whose name, company, email, phone (digits compared to digits, from 3 digits) or external id (the custom field `externalId`) contains `q`, most recently changed first, with `matched` naming the fields that matched; activities whose subject or description has the words of `q` (word prefixes), newest first. Only leads you may see (a rep: their own and unassigned, unless REP_VISIBILITY=all) and activities on them; a field hidden from you is neither shown nor searched.',
        tags: ['leads'],
        querystring: globalSearchQuery,
        response: { 200: searchResults },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const fields = await ctx.fields.viewFor(principal);
      const meta = await ctx.tracker.waitFor([LEAD_CARDS, USERS, STAGES, ACTIVITIES], request.query.minCheckpoint);
      const scope = scopeFor(principal, ctx.repVisibility);
      const [leads, activities] = await Promise.all([searchLeads(ctx.pool, scope, request.query.q, fields), searchActivities(ctx.pool, scope, request.query.q, fields)]);
      metaHeaders(reply, meta);
      return { leads, activities, ...meta };
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
