import net from 'node:net';
import { z } from 'zod';

export class ConfigError extends Error {}

/** Parses environment variables with a zod schema and fails fast with one readable line per problem. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

export const databaseUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');

export const port = z.coerce.number().int().min(0).max(65535);

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** LOG_FORMAT: unset means lines for a person when stdout is a terminal, JSON otherwise. */
export const logFormat = z.enum(['pretty', 'json']).optional();

/** An optional variable where an empty value (`VAR=` or compose's `${VAR:-}`) means unset. */
export const optionalEnv = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const isAddressOrRange = (entry: string): boolean => {
  const [address, prefix, extra] = entry.split('/');
  const family = net.isIP(address);
  if (!family || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
};

/**
 * `TRUSTED_PROXIES`: comma-separated IPs or CIDRs whose `X-Forwarded-*` headers are believed
 * (client address, host). Empty (the default) trusts no one: request.ip is the socket's peer.
 */
export const trustedProxies = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .refine((list) => list.every(isAddressOrRange), 'must be comma-separated IP addresses or CIDR ranges (e.g. 10.0.0.5,172.16.0.0/12)');

/** `METRICS_TOKEN`: a bearer token that lets a scraper (Prometheus) read /api/metrics without a user session. */
export const metricsToken = optionalEnv(z.string().min(32, 'at least 32 characters'));
