import { PostgresEventStore } from '@leadline/eventstore';
import { ConfigError, createLogger, createPool, createServer, parseConfig } from '@leadline/platform';
import { buildCommandApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import { commandConfig } from './config.ts';

async function main(): Promise<void> {
  const config = parseConfig(commandConfig);
  const logger = createLogger('command', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL, { applicationName: 'leadline-command' });
  const eventStore = await PostgresEventStore.create(pool, config.DATABASE_URL);
  const app = await createServer({ logger, title: 'Leadline command API' });
  await app.register(buildCommandApp({ pool, eventStore, sessionSecret: config.SESSION_SECRET, cookieSecure: config.COOKIE_SECURE }));
  const boot = await bootstrap({ eventStore, adminEmail: config.ADMIN_EMAIL, adminPassword: config.ADMIN_PASSWORD, log: logger });
  if (boot.admin.password) console.log(`\n  First admin: ${boot.admin.email}  password: ${boot.admin.password}  (shown once)\n`);

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
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('Leadline command service failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
