import { eventStoreChoice, masterKeysFrom, openEventStore, type EventStore } from '@leadline/eventstore';
import { ConfigError, StoreUnavailableError, createLogger, createPool, isDatabaseUnavailable, parseConfig } from '@leadline/platform';
import { projectorConfig } from './config.ts';
import { projectorConnections, startProjector } from './engine/projector.ts';
import { projections } from './projections/index.ts';
import { startMetricsServer } from './http.ts';

async function main(): Promise<void> {
  const config = parseConfig(projectorConfig);
  const logger = createLogger('projector', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL, { max: projectorConnections(projections.length) + 2, applicationName: 'leadline-projector' });
  const masterKeys = masterKeysFrom(config);

  // The database may start after us (compose): wait for it instead of exiting.
  let eventStore: EventStore | undefined;
  for (let attempt = 0; !eventStore; attempt++) {
    try {
      eventStore = await openEventStore(eventStoreChoice(config), { pool, databaseUrl: config.DATABASE_URL, log: logger, masterKeys });
    } catch (err) {
      if (!isDatabaseUnavailable(err) && !(err instanceof StoreUnavailableError)) throw err;
      const wait = Math.min(5000, 200 * 2 ** attempt);
      logger.warn({ retryInMs: wait }, 'database unavailable; retrying');
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  const projector = await startProjector({ pool, eventStore, logger });
  const metrics = await startMetricsServer(projector, config.METRICS_PORT, undefined, () => eventStore.health?.());
  logger.info({ metricsPort: metrics.port }, 'projector started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping projector');
    await metrics.close();
    await projector.stop();
    await eventStore.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
