import type { Redis } from 'ioredis';

export type RedisHealth = { status: 'ok'; latencyMs: number } | { status: 'degraded'; reason: string };

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
};

/**
 * For /api/health: ok when Redis answers PING, degraded with the reason otherwise. Also degraded
 * when Redis may evict keys: BullMQ's jobs and locks are keys, and an evicted one is a lost job.
 */
export async function redisHealth(client: Redis, timeoutMs = 1000): Promise<RedisHealth> {
  if (client.status !== 'ready') return { status: 'degraded', reason: `not connected (${client.status})` };
  const started = performance.now();
  try {
    await withTimeout(client.ping(), timeoutMs);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    // Some managed services restrict INFO; then the policy is simply not known.
    const memory = await withTimeout(client.info('memory'), timeoutMs).catch(() => '');
    const policy = /^maxmemory_policy:(\S+)/m.exec(memory)?.[1];
    if (policy && policy !== 'noeviction') return { status: 'degraded', reason: `maxmemory-policy is ${policy}; BullMQ needs noeviction (evicted keys are lost jobs)` };
    return { status: 'ok', latencyMs };
  } catch (err) {
    return { status: 'degraded', reason: err instanceof Error ? err.message : String(err) };
  }
}
