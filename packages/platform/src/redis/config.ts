import { z } from 'zod';
import { optionalEnv } from '../config.ts';

/** `REDIS_URL`: `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. */
export const redisUrl = z
  .string()
  .regex(/^rediss?:\/\/[^/?#]/, 'must be a redis:// or rediss:// URL (e.g. redis://localhost:6379)')
  .refine((v) => URL.canParse(v), 'must be a valid URL');

/** Unset (or empty) means the caller starts an embedded Redis. */
export const redisEnv = { REDIS_URL: optionalEnv(redisUrl) };

/** The URL without its password, for logs and startup lines. */
export function redactRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
