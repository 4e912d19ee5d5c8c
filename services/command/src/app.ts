import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import pg from 'pg';
import { guardCheckedOutClients, runMigrations } from '@leadline/platform';
import type { CommandDeps } from './deps.ts';
import { IdempotencyStore, idempotencyMigrations } from './idempotency.ts';
import { registerActivityRoutes } from './activities/routes.ts';
import { registerAssignmentRoutes } from './assignment/routes.ts';
import { registerLeadRoutes } from './leads/routes.ts';
import { registerPipelineRoutes } from './pipelines/routes.ts';
import { registerSettingsRoutes } from './settings/routes.ts';
import { registerTeamRoutes } from './teams/routes.ts';
import { registerAuthRoutes } from './users/auth-routes.ts';
import { LoginLimiter } from './users/login-limiter.ts';
import { registerUserRoutes } from './users/routes.ts';

const PURGE_INTERVAL_MS = 3_600_000;

/** The write side as a Fastify plugin: register it into `createServer()` (which owns errors and 404s). */
export function buildCommandApp(deps: CommandDeps): FastifyPluginAsync {
  return async (fastify) => {
    await runMigrations(deps.pool, 'command', idempotencyMigrations);
    // Idempotency locks are session locks held for a whole request; on the main pool, enough
    // of them could take every connection and leave none for the work they wait for.
    const lockPool = new pg.Pool({ ...deps.pool.options, max: 20, application_name: 'leadline-command-locks' });
    lockPool.on('error', () => {});
    guardCheckedOutClients(lockPool);
    const idempotency = new IdempotencyStore(lockPool);
    const purge = () => idempotency.purgeExpired().catch((err: unknown) => fastify.log.warn({ err }, 'idempotency purge failed'));
    const purgeTimer = setInterval(purge, PURGE_INTERVAL_MS);
    purgeTimer.unref();
    await purge();
    fastify.addHook('onClose', async () => {
      clearInterval(purgeTimer);
      await lockPool.end();
    });

    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const routeDeps = { ...deps, idempotency };
    registerLeadRoutes(app, routeDeps);
    registerPipelineRoutes(app, routeDeps);
    registerUserRoutes(app, routeDeps);
    registerActivityRoutes(app, routeDeps);
    registerAssignmentRoutes(app, routeDeps);
    registerTeamRoutes(app, routeDeps);
    registerSettingsRoutes(app, routeDeps);
    registerAuthRoutes(app, { ...routeDeps, limiter: new LoginLimiter() });
  };
}
