import { eventStoreChoice, masterKeysFrom, openEventStore } from '@leadline/eventstore';
import { ConfigError, SessionStore, StoreUnavailableError, createLogger, createPool, createServer, isDatabaseUnavailable, parseConfig } from '@leadline/platform';
import { buildCommandApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import { commandConfig } from './config.ts';

async function main(): Promise<void> {
  const config = parseConfig(commandConfig);
  const logger = createLogger('command', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL, { applicationName: 'leadline-command' });
  const eventStore = await openEventStore(eventStoreChoice(config), { pool, databaseUrl: config.DATABASE_URL, log: logger, masterKeys: masterKeysFrom(config) });
  const sessions = new SessionStore(pool, config.SESSION_SECRET);
  const app = await createServer({
    logger,
    title: 'Leadline command API',
    authenticate: (request) => sessions.principalOf(request),
    cookieSecure: config.COOKIE_SECURE,
    trustedProxies: config.TRUSTED_PROXIES,
    metricsToken: config.METRICS_TOKEN,
  });
  await app.register(buildCommandApp({ pool, eventStore, sessionSecret: config.SESSION_SECRET, sessionTtlSeconds: config.SESSION_TTL_HOURS * 3600, cookieSecure: config.COOKIE_SECURE }));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
      await eventStore.close();
      await pool.end();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while stopping');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.PORT, host: config.HOST });

  // Listening first: while the store is unreachable (a restarting EventStoreDB node) requests get
  // 503 with Retry-After, and bootstrap waits for the store with capped backoff.
  let boot: Awaited<ReturnType<typeof bootstrap>> | undefined;
  for (let attempt = 0; !boot && !stopping; attempt++) {
    try {
      boot = await bootstrap({ eventStore, pool, adminEmail: config.ADMIN_EMAIL, adminPassword: config.ADMIN_PASSWORD, log: logger });
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) && !isDatabaseUnavailable(err)) throw err;
      const wait = Math.min(5000, 200 * 2 ** attempt);
      logger.warn({ retryInMs: wait, eventStore: eventStore.kind }, 'event store unavailable at start; retrying');
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  if (boot?.admin.password) console.log(`\n  First admin: ${boot.admin.email}  password: ${boot.admin.password}  (shown once)\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('Leadline command service failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
