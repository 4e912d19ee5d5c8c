import { z } from 'zod';
import { eventStoreEnv, masterKeyEnv, requireEventStoreUrl, requireMasterKey } from '@leadline/eventstore';
import { databaseUrl, logLevel, metricsToken, optionalEnv, port, sessionTtlHours, trustedProxies } from '@leadline/platform';

/** Environment of the command service run alone (docker-compose checks itself against it). */
export const commandConfig = z.object({
  DATABASE_URL: databaseUrl,
  PORT: port.default(3001),
  HOST: z.string().min(1).default('0.0.0.0'),
  SESSION_SECRET: z.string().min(32, 'at least 32 characters'),
  SESSION_TTL_HOURS: sessionTtlHours,
  COOKIE_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  ADMIN_EMAIL: optionalEnv(z.email()),
  ADMIN_PASSWORD: optionalEnv(z.string().min(10, 'at least 10 characters')),
  LOG_LEVEL: logLevel,
  TRUSTED_PROXIES: trustedProxies,
  METRICS_TOKEN: metricsToken,
  ...eventStoreEnv,
  ...masterKeyEnv,
})
  .superRefine(requireEventStoreUrl)
  .superRefine(requireMasterKey);
