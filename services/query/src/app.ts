import websocket from '@fastify/websocket';
import type { ChangeNotice } from '@leadline/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { runMigrations, SessionStore, sessionMigrations, type BackgroundTask } from '@leadline/platform';
import type pg from 'pg';
import { registerAuditRoutes } from './audit/routes.ts';
import { ChangeFeed } from './changeFeed.ts';
import { CheckpointTracker } from './consistency.ts';
import { FieldPolicyCache } from './fields/policyCache.ts';
import { LiveHub } from './live/hub.ts';
import { registerLiveRoute } from './live/route.ts';
import { ASSIGNMENTS, DEFAULT_PROJECTIONS, FIELD_POLICY, USERS } from './projections.ts';
import type { RepVisibility } from './read/visibility.ts';
import { registerAnalyticsRoutes } from './routes/analytics.ts';
import { registerAssignmentRoutes } from './routes/assignments.ts';
import { registerHealthRoute } from './routes/health.ts';
import { registerActivityRoutes } from './routes/activities.ts';
import { registerLeadRoutes } from './routes/leads.ts';
import { registerPipelineRoutes } from './routes/pipeline.ts';
import { registerSettingsRoutes } from './routes/settings.ts';
import { registerTimelineRoutes } from './routes/timeline.ts';
import { registerUserRoutes } from './routes/users.ts';
import { registerWorkspaceRoutes } from './routes/workspace.ts';
import { registerWebApp } from './web.ts';

/**
 * Whether a notice can change what the field policy cache holds: the policy itself, teams (assignments
 * notices also carry every assignment's history, which does not), users' home teams. A notice too
 * large to list its keys counts.
 */
const changesFieldView = (notice: ChangeNotice): boolean => {
  if (notice.projection === FIELD_POLICY) return true;
  const view = notice.projection === ASSIGNMENTS ? 'teams' : notice.projection === USERS ? 'users' : null;
  return view !== null && (notice.changes === undefined || notice.changes.some((c) => c.view === view));
};

export type QueryDeps = {
  pool: pg.Pool;
  /** For the dedicated LISTEN connection (a pooled client cannot hold a LISTEN). */
  databaseUrl: string;
  sessionSecret: string;
  repVisibility: RepVisibility;
  /** The built web app to serve at `/`, with an SPA fallback. */
  webDist?: string;
  /** Projections the health check requires; default: users, stages, lead_cards, stage_totals. */
  expectedProjections?: string[];
  /** Background tasks of this process (the demo seeding), reported by /api/health. */
  background?: () => BackgroundTask[];
};

/**
 * The read side as a Fastify plugin: read routes over the `read` schema, `minCheckpoint`
 * waits, the live WebSocket hub, and the web app. Register it into `createServer()`.
 */
export function buildQueryApp(deps: QueryDeps): FastifyPluginAsync {
  return async (app) => {
    // The command side owns these tables; creating them here too lets either service start first.
    await runMigrations(deps.pool, 'sessions', sessionMigrations);
    const sessions = new SessionStore(deps.pool, deps.sessionSecret);
    const projections = deps.expectedProjections ?? DEFAULT_PROJECTIONS;
    const tracker = new CheckpointTracker(deps.pool);
    const fields = new FieldPolicyCache(deps.pool);
    const hub = new LiveHub({ pool: deps.pool, sessions, tracker, repVisibility: deps.repVisibility, projections, log: app.log, fields });
    const feed = new ChangeFeed(deps.databaseUrl, app.log);
    feed.onNotice((notice) => {
      // Before the hub fans anything out: the next message is redacted by the new policy or teams.
      if (changesFieldView(notice)) fields.invalidate();
      tracker.advance(notice.projection, notice.checkpoint);
      hub.notice(notice);
    });
    feed.onSessionNotice((notice) => hub.sessionNotice(notice));
    feed.onConnected(async (reconnected) => {
      fields.invalidate();
      await tracker.refresh();
      hub.feedConnected(reconnected);
    });
    await feed.start();
    hub.start();
    app.addHook('onClose', async () => {
      tracker.releaseAll();
      await hub.stop();
      await feed.close();
    });

    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    const ctx = { pool: deps.pool, tracker, sessions, repVisibility: deps.repVisibility, fields };
    registerHealthRoute(app, deps.pool, projections, deps.background);
    registerUserRoutes(app, ctx);
    registerLeadRoutes(app, ctx);
    registerPipelineRoutes(app, ctx);
    registerAnalyticsRoutes(app, ctx);
    registerActivityRoutes(app, ctx);
    registerTimelineRoutes(app, ctx);
    registerAssignmentRoutes(app, ctx);
    registerSettingsRoutes(app, ctx);
    registerWorkspaceRoutes(app, ctx);
    registerAuditRoutes(app, ctx);
    registerLiveRoute(app, hub, sessions);
    if (deps.webDist) await registerWebApp(app, deps.webDist);
  };
}
