import { Redis, type RedisOptions } from 'ioredis';

/**
 * An ioredis client for REDIS_URL. BullMQ workers need `maxRetriesPerRequest: null` (their blocking
 * commands must wait out a reconnect rather than fail), so that is the default here.
 */
export function createRedisClient(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: 'leadline', ...options });
}
