import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError, databaseUrl, logFormat, logLevel, metricsToken, optionalEnv, parseConfig, port, redisEnv, sessionTtlHours, trustedProxies } from '@leadline/platform';
import { defaultKeyFile, eventStoreChoice, eventStoreEnv, masterKeyEnv, masterKeysFrom, requireEventStoreUrl } from '@leadline/eventstore';
import { DEMO_DAYS, DEMO_PASSWORD, demoLogins, seedDemo } from './demo.ts';
import { repoRoot, startStack } from './stack.ts';

const config = z.object({
  DATABASE_URL: optionalEnv(databaseUrl),
  ...redisEnv,
  DATA_DIR: z.string().min(1).default('./.data'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SESSION_SECRET: optionalEnv(z.string().min(32, 'at least 32 characters')),
  SESSION_TTL_HOURS: sessionTtlHours,
  ADMIN_EMAIL: optionalEnv(z.email()),
  ADMIN_PASSWORD: optionalEnv(z.string().min(10, 'at least 10 characters')),
  REP_VISIBILITY: z.enum(['own', 'all']).default('own'),
  COOKIE_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  TRUSTED_PROXIES: trustedProxies,
  METRICS_TOKEN: metricsToken,
  LOG_LEVEL: logLevel,
  LOG_FORMAT: logFormat,
  ...eventStoreEnv,
  ...masterKeyEnv,
}).superRefine(requireEventStoreUrl);

const args = process.argv.slice(2);
const demo = args.includes('--demo');
const demoSize = Number(args.find((a) => a.startsWith('--demo-leads='))?.split('=')[1] ?? 2000);

/** A line that redraws itself at a terminal (the seeding's progress), or occasional lines elsewhere. */
function progressLine(tty: boolean, label: string, log: (line: string) => void) {
  const started = Date.now();
  let lastShown = 0;
  let lastTenth = -1;
  return {
    update(done: number, total: number) {
      const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
      const text = `${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} commands (${rate}/s)`;
      if (tty) {
        if (Date.now() - lastShown < 100 && done < total) return;
        lastShown = Date.now();
        process.stdout.write(`\r\x1b[2K  ${text}`);
      } else {
        const tenth = total ? Math.floor((done / total) * 10) : 10;
        if (tenth !== lastTenth) log(text);
        lastTenth = tenth;
      }
    },
    end() {
      if (tty) process.stdout.write('\r\x1b[2K');
    },
  };
}

async function main() {
  const env = parseConfig(config);
  const started = Date.now();
  const tty = Boolean(process.stdout.isTTY);
  const format = env.LOG_FORMAT ?? (tty ? 'pretty' : 'json');
  const historyStart = demo ? Date.now() - DEMO_DAYS * 86_400_000 : undefined;
  const dataDir = path.resolve(env.DATA_DIR);
  const webDist = path.join(repoRoot, 'web', 'dist');
  const stack = await startStack({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    dataDir,
    port: env.PORT,
    host: env.HOST,
    sessionSecret: env.SESSION_SECRET,
    sessionTtlHours: env.SESSION_TTL_HOURS,
    adminEmail: env.ADMIN_EMAIL,
    adminPassword: env.ADMIN_PASSWORD,
    repVisibility: env.REP_VISIBILITY,
    cookieSecure: env.COOKIE_SECURE,
    trustedProxies: env.TRUSTED_PROXIES,
    metricsToken: env.METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
    logFormat: format,
    quietRequests: true,
    historyStart: historyStart === undefined ? undefined : new Date(historyStart),
    webDist: fs.existsSync(webDist) ? webDist : undefined,
    eventStore: eventStoreChoice(env),
    masterKeys: masterKeysFrom(env, { file: defaultKeyFile(dataDir), create: true }),
  });
  // What the services read once they use Redis (issue 12): the same server, embedded or given.
  process.env.REDIS_URL = stack.redisUrl;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (tty) process.stdout.write('\r\x1b[2K');
    if (format === 'json') stack.logger.info({ signal }, 'stopping');
    // Closing connections makes the projector and the database report what they lose; on purpose
    // here, so a clean stop prints nothing more. A stop that fails still says so below.
    stack.muteLogs();
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await stack.stop().catch((err) => console.error(`Error while stopping: ${err instanceof Error ? err.message : String(err)}`));
    if (format === 'pretty') console.log('Stopped.');
    else console.log(JSON.stringify({ level: 30, time: new Date().toISOString(), service: 'leadline', msg: 'stopped' }));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const say = (text: string) => (format === 'pretty' ? console.log(text) : stack.logger.info(text.trim()));
  const adminLine =
    `  Admin login: ${stack.admin.email}  ` +
    (stack.admin.password ? `password: ${stack.admin.password}  (generated and shown once)` : env.ADMIN_PASSWORD && stack.admin.created ? 'password: from ADMIN_PASSWORD' : '(password as set when this admin was created)');
  const lines = [
    '',
    `  Leadline is running at ${stack.url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    adminLine,
    `  API docs: ${stack.url}/api/docs   Data: ${env.DATABASE_URL ? 'DATABASE_URL' : dataDir}`,
    `  Redis: ${stack.redis.embedded ? `embedded at 127.0.0.1:${stack.redis.embedded.port}   Data: ${stack.redis.embedded.dataDir}` : `REDIS_URL ${stack.redis.shown}`}`,
    '  Ctrl-C stops everything.',
    '',
  ];
  say(lines.join('\n'));

  if (demo) {
    // In the background: the server already serves, and a failed seeding is reported, never fatal.
    const bar = progressLine(tty && format === 'pretty', 'Seeding demo', say);
    void stack.background
      .run('demo-seed', (progress) =>
        seedDemo(stack, {
          leads: demoSize,
          historyStart,
          log: (m: string) => say(`  ${m}`),
          progress: (done, total) => {
            progress(done, total);
            bar.update(done, total);
          },
        }),
      )
      .then((task) => {
        bar.end();
        if (task.state === 'failed') say(`  The demo seeding stopped: ${task.error}. Leadline keeps running; /api/health shows the failure.`);
        else say([`  Demo users (password "${DEMO_PASSWORD}"):`, ...demoLogins().map((l) => `    ${l}`), adminLine, ''].join('\n'));
      });
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('Leadline failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
