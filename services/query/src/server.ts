import { ConfigError, SessionStore, createLogger, createPool, createServer, parseConfig } from '@leadline/platform';
import { buildQueryApp } from './app.ts';
import { queryConfig } from './config.ts';

function loadConfig() {
  try {
    return parseConfig(queryConfig);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

const config = loadConfig();
const logger = createLogger('query', config.LOG_LEVEL);
const pool = createPool(config.DATABASE_URL, { applicationName: 'leadline-query' });
const sessions = new SessionStore(pool, config.SESSION_SECRET);
const app = await createServer({
  logger,
  title: 'Leadline query API',
  authenticate: (request) => sessions.principalOf(request),
  cookieSecure: config.COOKIE_SECURE,
  trustedProxies: config.TRUSTED_PROXIES,
  metricsToken: config.METRICS_TOKEN,
});
await app.register(
  buildQueryApp({ pool, databaseUrl: config.DATABASE_URL, sessionSecret: config.SESSION_SECRET, repVisibility: config.REP_VISIBILITY, webDist: config.WEB_DIST }),
);
await app.listen({ port: config.PORT, host: config.HOST });
if (!config.WEB_DIST) logger.info('no web app build found: serving the API only');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  try {
    await app.close();
    await pool.end();
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'unclean stop');
    process.exit(1);
  }
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
