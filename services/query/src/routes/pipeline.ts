import { board, boardQuery, columnPage as columnPageSchema, columnQuery, overviewQuery, pipelineOverview, stageDto } from '@leadline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { redactColumn } from '../fields/redact.ts';
import { refuseHiddenFilters } from '../fields/search.ts';
import { sumsShown, withoutHiddenSums } from '../fields/sums.ts';
import { requirePrincipal } from '../principal.ts';
import { ACTIVITIES, LEAD_CARDS, PIPELINE_HISTORY, STAGE_TOTALS, STAGES, USERS } from '../projections.ts';
import { ValidationError } from '@leadline/platform';
import { isFiltered, pickFilter } from '../read/boardFilter.ts';
import { boardAt, overviewAt, overviewNow } from '../read/history.ts';
import { boardColumns, columnPage, listStages, resolvePipeline } from '../read/pipeline.ts';
import { scopeFor, type Scope } from '../read/visibility.ts';
import { stageIdParams, stagesQuery } from '../schemas.ts';
import { metaHeaders, type RouteContext } from './context.ts';

/** Totals come from stage_totals for those who see everything, from read.leads for a scoped rep. */
const totalsSource = (scope: Scope): string => (scope.kind === 'all' ? STAGE_TOTALS : LEAD_CARDS);

/** The recorded history keeps no source or email: a past board is shown unfiltered, and filters with asOf are refused. */
function refuseFiltersInThePast(query: Record<string, unknown>): void {
  const named = ['ownerId', 'source', 'minValue', 'maxValue', 'q'].filter((k) => query[k] !== undefined);
  if (named.length > 0) {
    throw new ValidationError('board filters cannot be combined with asOf', named.map((k) => ({ field: `querystring.${k}`, message: 'not available with asOf' })));
  }
}

export function registerPipelineRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/pipeline/stages',
    {
      schema: {
        summary: 'Stages of a pipeline (default: the default pipeline) in board order',
        description: 'Checkpoint and staleness are in the `X-Checkpoint` and `X-Stale` headers.',
        tags: ['pipeline'],
        querystring: stagesQuery,
        response: { 200: z.array(stageDto) },
      },
    },
    async (request, reply) => {
      await requirePrincipal(request, ctx.sessions);
      const meta = await ctx.tracker.waitFor([STAGES], request.query.minCheckpoint);
      const stages = await listStages(ctx.pool, await resolvePipeline(ctx.pool, request.query.pipelineId));
      metaHeaders(reply, meta);
      return stages;
    },
  );

  r.get(
    '/api/pipeline/board',
    {
      schema: {
        summary: 'The board: every column with its totals and first page of cards',
        description:
          'Cards are ordered by rank (bytewise), then id. Filters (ownerId or `none`, source, minValue, maxValue, q) restrict cards, counts and sums alike; they cannot be combined with asOf. Field permissions: a card field hidden from you is absent, a sum you may not see every value of is absent, filtering by a field hidden from you on some leads is refused (400 naming the parameter) and q never matches a hidden value. A rep sees their own and unassigned leads (unless REP_VISIBILITY=all), and totals over those. With asOf, the board as it stood then, from the recorded history: the stages of that moment, the first `limit` cards of each column (nextCursor is null) and counts and sums over all of them.',
        tags: ['pipeline'],
        querystring: boardQuery,
        response: { 200: board },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const scope = scopeFor(principal, ctx.repVisibility);
      const fields = await ctx.fields.viewFor(principal);
      const { asOf } = request.query;
      const filter = pickFilter(request.query);
      if (asOf) refuseFiltersInThePast(request.query);
      refuseHiddenFilters(fields, request.query);
      const totals = isFiltered(filter) ? LEAD_CARDS : totalsSource(scope);
      const meta = await ctx.tracker.waitFor(asOf ? [STAGES, PIPELINE_HISTORY, ACTIVITIES, USERS] : [STAGES, LEAD_CARDS, USERS, totals], request.query.minCheckpoint);
      const pipelineId = await resolvePipeline(ctx.pool, request.query.pipelineId);
      const columns = asOf
        ? await boardAt(ctx.pool, scope, pipelineId, asOf, request.query.limit)
        : await boardColumns(ctx.pool, scope, pipelineId, request.query.limit, filter, fields);
      metaHeaders(reply, meta);
      const shown = sumsShown(fields, scope);
      return { pipelineId, asOf: asOf ?? null, columns: columns.map((c) => redactColumn(fields, shown, c)), ...meta };
    },
  );

  r.get(
    '/api/pipeline/board/columns/:stageId',
    {
      schema: {
        summary: 'The next page of one board column',
        description: '`cursor` is a column `nextCursor`; a cursor of another column is refused (400). Pass the same filters as the board.',
        tags: ['pipeline'],
        params: stageIdParams,
        querystring: columnQuery,
        response: { 200: columnPageSchema },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const scope = scopeFor(principal, ctx.repVisibility);
      const fields = await ctx.fields.viewFor(principal);
      refuseHiddenFilters(fields, request.query);
      const meta = await ctx.tracker.waitFor([LEAD_CARDS, USERS], request.query.minCheckpoint);
      const page = await columnPage(ctx.pool, scope, request.params.stageId, request.query.cursor, request.query.limit, pickFilter(request.query), fields);
      metaHeaders(reply, meta);
      return { stageId: request.params.stageId, ...redactColumn(fields, { totalValue: true, weightedValue: true }, page), ...meta };
    },
  );

  r.get(
    '/api/pipeline/overview',
    {
      schema: {
        summary: 'Per stage: count, total and weighted value, average and median age in stage, rotting leads',
        description:
          'Weighted value = deal value x (the lead probability, else the stage probability) / 100. Age = time since the lead entered its stage. Rotting = open-stage leads with no move and no other change recorded for longer than the stage\'s rottingDays. With asOf, all of it as it stood then, from the recorded history.',
        tags: ['pipeline'],
        querystring: overviewQuery,
        response: { 200: pipelineOverview },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const scope = scopeFor(principal, ctx.repVisibility);
      const shown = sumsShown(await ctx.fields.viewFor(principal), scope);
      const { asOf } = request.query;
      const meta = await ctx.tracker.waitFor(asOf ? [STAGES, PIPELINE_HISTORY, ACTIVITIES] : [STAGES, LEAD_CARDS, totalsSource(scope)], request.query.minCheckpoint);
      const pipelineId = await resolvePipeline(ctx.pool, request.query.pipelineId);
      const at = asOf ?? new Date().toISOString();
      const stages = asOf
        ? await overviewAt(ctx.pool, scope, pipelineId, asOf)
        : await overviewNow(ctx.pool, scope, pipelineId, at);
      metaHeaders(reply, meta);
      return { pipelineId, asOf: asOf ?? null, at: new Date(at).toISOString(), stages: stages.map((s) => withoutHiddenSums(shown, s)), ...meta };
    },
  );
}
