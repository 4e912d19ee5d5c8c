import { z } from 'zod';
import { eventStoreEnv, masterKeyEnv, requireEventStoreUrl, requireMasterKey } from '@leadline/eventstore';
import { databaseUrl, logLevel, port } from '@leadline/platform';

/** Environment of the projector run alone (docker-compose checks itself against it). */
export const projectorConfig = z.object({
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: logLevel,
  METRICS_PORT: port.default(9464),
  ...eventStoreEnv,
  ...masterKeyEnv,
})
  .superRefine(requireEventStoreUrl)
  .superRefine(requireMasterKey);
