import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrl, logLevel, metricsToken, port, trustedProxies } from '@leadline/platform';
import { z } from 'zod';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const builtWeb = path.join(repoRoot, 'web', 'dist');

export const queryConfig = z.object({
  DATABASE_URL: databaseUrl,
  PORT: port.default(3002),
  HOST: z.string().min(1).default('0.0.0.0'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
  REP_VISIBILITY: z.enum(['own', 'all']).default('own'),
  COOKIE_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  TRUSTED_PROXIES: trustedProxies,
  METRICS_TOKEN: metricsToken,
  WEB_DIST: z
    .string()
    .min(1)
    .optional()
    .transform((v) => v ?? (fs.existsSync(path.join(builtWeb, 'index.html')) ? builtWeb : undefined)),
  LOG_LEVEL: logLevel,
});
export type QueryConfig = z.infer<typeof queryConfig>;
