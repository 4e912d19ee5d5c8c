import { z } from 'zod';
import { eventStoreEnv, requireEventStoreUrl } from '@leadline/eventstore';
import { databaseUrl, logLevel, port } from '@leadline/platform';

/** Environment of the projector run alone (docker-compose checks itself against it). */
export const projectorConfig = z.object({
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: logLevel,
  METRICS_PORT: port.default(9464),
  ...eventStoreEnv,
}).superRefine(requireEventStoreUrl);
