import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { bootstrap, buildCommandApp } from '@leadline/command';
import { MasterKeys, defaultKeyFile, openEventStore, type EventStoreChoice, type SealingEventStore } from '@leadline/eventstore';
import { BackgroundTasks, SessionStore, createLogger, createPool, createServer, readOrCreateSecret, redactRedisUrl, startEmbeddedPostgres, startEmbeddedRedis, mutableDestination, prettyDestination, type EmbeddedDatabase, type EmbeddedRedis, type LogFormat, type Logger, type Pool } from '@leadline/platform';
import { projectorConnections, projections, startProjector } from '@leadline/projector';
import { buildQueryApp } from '@leadline/query';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type StackOptions = {
  /** External PostgreSQL; when absent an embedded one is started under dataDir. */
  databaseUrl?: string;
  /** External Redis (REDIS_URL); when absent, the REDIS_URL of the environment (a test run's), else an embedded one under dataDir. */
  redisUrl?: string;
  dataDir: string;
  port: number;
  host: string;
  sessionSecret?: string;
  /** SESSION_TTL_HOURS: how long a session lasts from sign-in (default 12). */
  sessionTtlHours?: number;
  adminEmail?: string;
  adminPassword?: string;
  repVisibility: 'own' | 'all';
  cookieSecure: boolean;
  /** TRUSTED_PROXIES: addresses whose X-Forwarded-* headers are believed; default none. */
  trustedProxies?: string[];
  /** METRICS_TOKEN: bearer token for /api/metrics (scrapers). */
  metricsToken?: string;
  logLevel: string;
  webDist?: string;
  /** EVENT_STORE/EVENTSTORE_URL: PostgreSQL (default, the same database) or EventStoreDB. */
  eventStore?: EventStoreChoice;
  /** MASTER_KEY / MASTER_KEY_FILE; default the key file under dataDir, created (0600) on first start. */
  masterKeys?: MasterKeys;
  /** Backdates the default pipeline and first admin when they are created now (the demo's 90-day history). */
  historyStart?: Date;
  /** LOG_FORMAT: human-readable lines (a terminal) or JSON lines; default JSON. */
  logFormat?: LogFormat;
  /** Request logs at `debug` (npm start) instead of `info`. */
  quietRequests?: boolean;
};

export type Stack = {
  url: string;
  /** REDIS_URL as resolved: given, or the embedded server's (with its password). */
  redisUrl: string;
  /** For the startup lines: the URL without its password; the embedded server's port and data when this stack started it. */
  redis: { shown: string; embedded?: { port: number; dataDir: string } };
  sessionSecret: string;
  app: FastifyInstance;
  pool: Pool;
  eventStore: SealingEventStore;
  logger: Logger;
  admin: { userId: string; email: string; password?: string; created: boolean };
  defaultPipelineId: string;
  /** One-off work beside serving (the demo seeding): failures are logged and shown in /api/health. */
  background: BackgroundTasks;
  /** Stops all log output (a deliberate shutdown: connections closing are expected, not news). */
  muteLogs: () => void;
  stop: () => Promise<void>;
};

/** The session secret: given, or generated once and kept in the data directory. */
const sessionSecretFor = (dataDir: string, given?: string): string => given ?? readOrCreateSecret(path.join(dataDir, 'session-secret'));

/**
 * Waits (bounded) until the read models hold what the first requests need: the default pipeline and
 * the first admin. Asked of the rows themselves rather than of a checkpoint: the PostgreSQL store's
 * readable head stops below any transaction still open in the cluster, so a checkpoint taken now may
 * not cover the bootstrap's events yet.
 */
async function waitForBootstrapReads(pool: Pool, boot: { defaultPipelineId: string; admin: { userId: string } }, logger: Logger, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ready = await pool
      .query<{ ok: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM read.pipelines WHERE id = $1::uuid) AND EXISTS (SELECT 1 FROM read.stages WHERE pipeline_id = $1::uuid)
           AND EXISTS (SELECT 1 FROM read.users WHERE id = $2::uuid) AS ok`,
        [boot.defaultPipelineId, boot.admin.userId],
      )
      .then((r) => r.rows[0].ok)
      .catch(() => false); // the views do not exist before the projector's first start
    if (ready) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  logger.warn('read models still without the default pipeline or the admin after 60 s; serving anyway (reads answer 404 until they arrive)');
}

/** Everything in one process: embedded or external PostgreSQL, command + query apps on one server, the projector. */
export async function startStack(options: StackOptions): Promise<Stack> {
  // With a format chosen (npm start), lines pass a switch so a deliberate stop can silence them.
  const output = options.logFormat ? mutableDestination(options.logFormat === 'pretty' ? prettyDestination() : process.stdout) : undefined;
  const logger = createLogger('leadline', options.logLevel, output?.stream);
  const background = new BackgroundTasks(logger);
  let embeddedRedis: EmbeddedRedis | undefined;
  let redisUrl = options.redisUrl ?? (process.env.REDIS_URL || undefined);
  if (!redisUrl) {
    // First: without a redis-server this fails with its one line before PostgreSQL is initialised.
    embeddedRedis = await startEmbeddedRedis({ dataDir: options.dataDir });
    redisUrl = embeddedRedis.url;
    logger.info({ dataDir: embeddedRedis.dataDir, port: embeddedRedis.port, version: embeddedRedis.version }, 'embedded Redis started');
  }
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    try {
      embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, log: (m) => logger.debug({ postgres: String(m) }) });
    } catch (err) {
      await embeddedRedis?.stop().catch(() => {});
      throw err;
    }
    databaseUrl = embedded.url;
    logger.info({ dataDir: embedded.dataDir, port: embedded.port }, 'embedded PostgreSQL started');
  }
  // The HTTP apps' share plus the projector's dedicated connections.
  const pool = createPool(databaseUrl, { max: 12 + projectorConnections(projections.length), applicationName: 'leadline' });
  const stops: (() => Promise<void>)[] = [];
  try {
    const masterKeys = options.masterKeys ?? MasterKeys.ensureFile(defaultKeyFile(options.dataDir));
    const eventStore = await openEventStore(options.eventStore ?? { kind: 'postgres' }, { pool, databaseUrl, log: logger, masterKeys });
    stops.push(() => eventStore.close());
    const sessionSecret = sessionSecretFor(options.dataDir, options.sessionSecret);
    const sessions = new SessionStore(pool, sessionSecret);
    const app = await createServer({
      logger,
      title: 'Leadline API',
      authenticate: (request) => sessions.principalOf(request),
      cookieSecure: options.cookieSecure,
      trustedProxies: options.trustedProxies,
      metricsToken: options.metricsToken,
      requestLogLevel: options.quietRequests ? 'debug' : 'info',
    });
    await app.register(buildCommandApp({ pool, eventStore, sessionSecret, sessionTtlSeconds: options.sessionTtlHours && options.sessionTtlHours * 3600, cookieSecure: options.cookieSecure }));
    await app.register(buildQueryApp({ pool, databaseUrl, sessionSecret, repVisibility: options.repVisibility, webDist: options.webDist, background: () => background.list() }));
    const boot = await bootstrap({ eventStore, pool, adminEmail: options.adminEmail, adminPassword: options.adminPassword, log: logger, historyStart: options.historyStart });
    const projector = await startProjector({ pool, eventStore, logger });
    stops.push(() => projector.stop());
    // The first reads need the default pipeline and the admin: wait (bounded) until the projector
    // has them, so a fresh install never answers "no pipeline yet" to its first visitor.
    await waitForBootstrapReads(pool, boot, logger);
    await app.listen({ port: options.port, host: options.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
    return {
      url: `http://${shownHost}:${port}`,
      redisUrl,
      redis: { shown: redactRedisUrl(redisUrl), embedded: embeddedRedis && { port: embeddedRedis.port, dataDir: embeddedRedis.dataDir } },
      sessionSecret,
      app,
      pool,
      eventStore,
      logger,
      admin: boot.admin,
      defaultPipelineId: boot.defaultPipelineId,
      background,
      muteLogs: () => output?.mute(),
      stop: async () => {
        await app.close();
        for (const stop of stops.reverse()) await stop();
        await pool.end();
        await embedded?.stop();
        await embeddedRedis?.stop();
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await pool.end().catch(() => {});
    await embedded?.stop().catch(() => {});
    await embeddedRedis?.stop().catch(() => {});
    throw err;
  }
}
