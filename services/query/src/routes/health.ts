import { sendProblem, type BackgroundTask } from '@leadline/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { readProjectionStates, readRebuildProgress, type ProjectionState, type RebuildProgress } from '../read/projectionState.ts';
import { health, type Health } from '../schemas.ts';

/** The answer for the projections, or the reason the service cannot serve yet. */
export function assessHealth(
  states: ProjectionState[] | null,
  expected: string[],
  rebuilds: Map<string, RebuildProgress> = new Map(),
  background: BackgroundTask[] = [],
): { health: Health } | { unavailable: string } {
  if (states === null) return { unavailable: 'the projector has not created its state table yet' };
  const byName = new Map(states.map((s) => [s.name, s]));
  const missing = expected.filter((name) => !byName.has(name));
  if (missing.length > 0) return { unavailable: `projections not started: ${missing.join(', ')}` };
  const rows = expected.map((name) => byName.get(name) as ProjectionState);
  const failed = rows.filter((s) => s.status === 'failed');
  const silent = rows.filter((s) => s.status !== 'failed' && !s.alive);
  if (silent.length > 0) return { unavailable: `no projector heartbeat in 30 s for: ${silent.map((s) => s.name).join(', ')}` };
  return {
    health: {
      status: failed.length > 0 || background.some((t) => t.state === 'failed') ? 'degraded' : 'ok',
      projections: rows.map(({ name, status, checkpoint, error, failedEventId, heartbeatAt }) => ({ name, status, checkpoint, error, failedEventId, heartbeatAt, rebuild: rebuilds.get(name) ?? null })),
      background,
    },
  };
}

export function registerHealthRoute(app: FastifyInstance, pool: pg.Pool, expected: string[], background: () => BackgroundTask[] = () => []): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/health',
    {
      schema: {
        summary: 'Readiness of the read side',
        description:
          '200 `ok` when every projection heartbeats (a rebuild in progress shows its events done / total, rate and ETA); 200 `degraded` when one has failed (its error and failed event id are listed) or a background task (the demo seeding) has failed (`background` lists each with its state, progress and error); 503 problem when the projector is not running.',
        tags: ['health'],
        security: [],
        response: { 200: health },
      },
    },
    async (request, reply) => {
      const verdict = assessHealth(await readProjectionStates(pool), expected, await readRebuildProgress(pool), background());
      if ('unavailable' in verdict) {
        return sendProblem(
          reply,
          { type: 'https://leadline.dev/problems/unavailable', title: 'Service temporarily unavailable', status: 503, detail: verdict.unavailable, instance: request.url.split('?')[0] },
          { 'Retry-After': '5' },
        );
      }
      return verdict.health;
    },
  );
}
