import { conversionQuery, conversionRates as conversionRatesSchema, minCheckpointQuery, pipelineDto } from '@leadline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../principal.ts';
import { CONVERSION, STAGES } from '../projections.ts';
import { conversionRates } from '../read/conversion.ts';
import { listPipelines } from '../read/history.ts';
import { resolvePipeline } from '../read/pipeline.ts';
import { metaHeaders, type RouteContext } from './context.ts';

const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_DAYS = 90;

export function registerAnalyticsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/pipelines',
    {
      schema: {
        summary: 'Every pipeline (default first, archived last) with its lost reasons',
        description: 'Checkpoint and staleness are in the `X-Checkpoint` and `X-Stale` headers.',
        tags: ['pipeline'],
        querystring: minCheckpointQuery,
        response: { 200: z.array(pipelineDto) },
      },
    },
    async (request, reply) => {
      await requirePrincipal(request, ctx.sessions);
      const meta = await ctx.tracker.waitFor([STAGES], request.query.minCheckpoint);
      const pipelines = await listPipelines(ctx.pool);
      metaHeaders(reply, meta);
      return pipelines;
    },
  );

  r.get(
    '/api/pipeline/conversion-rates',
    {
      schema: {
        summary: 'Stage-to-stage conversion, win rate, time in stage and where leads are lost',
        description:
          'Computed from the recorded moves. The window [from, to) (default: the last 90 days) is widened to whole UTC days and answered with those bounds. Cohort: the leads that entered the pipeline in the window (optionally only those owned by ownerId when they entered); entries, closings and stay lengths: those in the window (ownerId: the owner at the entry, at the start of the stay). Median and p90 stay lengths are read from a histogram (within ±2.6%). See docs/pipelines.md for how skips and backward moves count. A rep (REP_VISIBILITY=own) always gets their own leads.',
        tags: ['pipeline'],
        querystring: conversionQuery,
        response: { 200: conversionRatesSchema },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, ctx.sessions);
      const q = request.query;
      const meta = await ctx.tracker.waitFor([STAGES, CONVERSION], q.minCheckpoint);
      const pipelineId = await resolvePipeline(ctx.pool, q.pipelineId);
      const to = q.to ? new Date(q.to) : new Date();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
      const ownerId = principal.role === 'rep' && ctx.repVisibility === 'own' ? principal.userId : (q.ownerId ?? null);
      const result = await conversionRates(ctx.pool, { pipelineId, from: from.toISOString(), to: to.toISOString(), ownerId });
      metaHeaders(reply, meta);
      return { ...result, ...meta };
    },
  );
}
