import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError, databaseUrl, logLevel, metricsToken, optionalEnv, parseConfig, port, sessionTtlHours, trustedProxies } from '@leadline/platform';
import { defaultKeyFile, eventStoreChoice, eventStoreEnv, masterKeyEnv, masterKeysFrom, requireEventStoreUrl } from '@leadline/eventstore';
import { seedDemo } from './demo.ts';
import { repoRoot, startStack } from './stack.ts';

const config = z.object({
  DATABASE_URL: optionalEnv(databaseUrl),
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
  ...eventStoreEnv,
  ...masterKeyEnv,
}).superRefine(requireEventStoreUrl);

const args = process.argv.slice(2);
const demo = args.includes('--demo');
const demoSize = Number(args.find((a) => a.startsWith('--demo-leads='))?.split('=')[1] ?? 2000);

async function main() {
  const env = parseConfig(config);
  const started = Date.now();
  const dataDir = path.resolve(env.DATA_DIR);
  const webDist = path.join(repoRoot, 'web', 'dist');
  const stack = await startStack({
    databaseUrl: env.DATABASE_URL,
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
    webDist: fs.existsSync(webDist) ? webDist : undefined,
    eventStore: eventStoreChoice(env),
    masterKeys: masterKeysFrom(env, { file: defaultKeyFile(dataDir), create: true }),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    stack.logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await stack.stop().catch((err) => stack.logger.error({ err }, 'error while stopping'));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  if (demo) await seedDemo(stack, { leads: demoSize, log: (m: string) => console.log(m) });

  const lines = [
    '',
    `  Leadline is running at ${stack.url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `  Admin login: ${stack.admin.email}  ` +
      (stack.admin.password ? `password: ${stack.admin.password}  (generated and shown once)` : env.ADMIN_PASSWORD && stack.admin.created ? 'password: from ADMIN_PASSWORD' : '(password as set when this admin was created)'),
    `  API docs: ${stack.url}/api/docs   Data: ${env.DATABASE_URL ? 'DATABASE_URL' : dataDir}`,
    '  Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('Leadline failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
