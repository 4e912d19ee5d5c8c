import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import pg from 'pg';
import { SessionStore, guardCheckedOutClients } from '@leadline/platform';
import { startAuditChainer } from './audit/chainer.ts';
import type { CommandDeps } from './deps.ts';
import { IdempotencyStore } from './idempotency.ts';
import { migrateCommandTables } from './migrations.ts';
import { registerActivityRoutes } from './activities/routes.ts';
import { registerAssignmentRoutes } from './assignment/routes.ts';
import { registerLeadRoutes } from './leads/routes.ts';
import { registerPipelineRoutes } from './pipelines/routes.ts';
import { registerSettingsRoutes } from './settings/routes.ts';
import { registerTeamRoutes } from './teams/routes.ts';
import { registerAuthRoutes } from './users/auth-routes.ts';
import { LoginThrottle } from './users/login-throttle.ts';
import { registerPasswordRoutes } from './users/password-routes.ts';
import { registerProfileRoutes } from './users/profile-routes.ts';
import { registerUserRoutes } from './users/routes.ts';
import { registerSessionRoutes } from './users/session-routes.ts';
import { registerWorkspaceRoutes } from './workspace/routes.ts';

const PURGE_INTERVAL_MS = 3_600_000;

/** The write side as a Fastify plugin: register it into `createServer()` (which owns errors and 404s). */
export function buildCommandApp(deps: CommandDeps): FastifyPluginAsync {
  return async (fastify) => {
    await migrateCommandTables(deps.pool);
    // Idempotency locks are session locks held for a whole request; on the main pool, enough
    // of them could take every connection and leave none for the work they wait for.
    const lockPool = new pg.Pool({ ...deps.pool.options, max: 20, application_name: 'leadline-command-locks' });
    lockPool.on('error', () => {});
    guardCheckedOutClients(lockPool);
    const idempotency = new IdempotencyStore(lockPool);
    const sessions = new SessionStore(deps.pool, deps.sessionSecret);
    const throttle = new LoginThrottle(deps.pool);
    const purge = () =>
      Promise.all([idempotency.purgeExpired(), sessions.purge(), throttle.purge()]).catch((err: unknown) => fastify.log.warn({ err }, 'purge of expired idempotency keys, sessions or throttle rows failed'));
    const purgeTimer = setInterval(purge, PURGE_INTERVAL_MS);
    purgeTimer.unref();
    await purge();
    // Moves recorded audit events into the hash chain; one instance is active across replicas.
    const chainer = await startAuditChainer({ pool: deps.pool, eventStore: deps.eventStore, logger: fastify.log });
    fastify.addHook('onClose', async () => {
      clearInterval(purgeTimer);
      await chainer.stop();
      await lockPool.end();
    });

    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const routeDeps = { ...deps, idempotency, sessions, lockPool };
    registerLeadRoutes(app, routeDeps);
    registerPipelineRoutes(app, routeDeps);
    registerUserRoutes(app, routeDeps);
    registerActivityRoutes(app, routeDeps);
    registerAssignmentRoutes(app, routeDeps);
    registerTeamRoutes(app, routeDeps);
    registerSettingsRoutes(app, routeDeps);
    registerWorkspaceRoutes(app, routeDeps);
    registerAuthRoutes(app, { ...routeDeps, throttle });
    registerSessionRoutes(app, routeDeps);
    registerPasswordRoutes(app, { ...routeDeps, throttle });
    registerProfileRoutes(app, routeDeps);
  };
}
