import { checkpoint, isoDateTime, uuid } from '@leadline/contracts';
import { z } from 'zod';

/** Schemas of answers that only the query service gives (everything shared lives in contracts). */
export const projectionHealth = z.object({
  name: z.string(),
  status: z.string(),
  checkpoint,
  error: z.string().nullable(),
  failedEventId: uuid.nullable(),
  heartbeatAt: isoDateTime.nullable(),
  /** A rebuild in progress (events done / the log's size when it started, rate, seconds left), else null. */
  rebuild: z
    .object({ processed: z.number(), total: z.number().nullable(), eventsPerSecond: z.number().nullable(), etaSeconds: z.number().nullable() })
    .nullable(),
});

/** One-off work beside serving (the demo seeding): a failure is reported here, never fatal. */
export const backgroundTaskHealth = z.object({
  name: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  startedAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
  error: z.string().nullable(),
  progress: z.object({ done: z.number(), total: z.number() }).nullable(),
});

export const health = z.object({ status: z.enum(['ok', 'degraded']), projections: z.array(projectionHealth), background: z.array(backgroundTaskHealth) });
export type Health = z.infer<typeof health>;

export const stagesQuery = z.object({ pipelineId: uuid.optional(), minCheckpoint: checkpoint.optional() });
export const stageIdParams = z.object({ stageId: uuid });
