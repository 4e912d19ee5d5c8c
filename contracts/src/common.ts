import { z } from 'zod';

export const uuid = z.uuid();
export const isoDateTime = z.iso.datetime({ offset: true });
export const isoDate = z.iso.date();

/** Opaque, fixed-width log position; lexical order is log order. '' means the start of the log. */
export const checkpoint = z.string().max(64).regex(/^[0-9]*$/, 'must be a checkpoint returned by the API');

/** Major currency units, non-negative, at most 2 decimals. */
export const money = z
  .number()
  .nonnegative()
  .max(1e13)
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'Use at most 2 decimals');

export const probability = z.number().int().min(0).max(100);

export const roles = ['admin', 'manager', 'rep', 'auditor', 'analyst'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

/** Metadata carried by every stored event (DESIGN.md section 1). */
export const eventMetadata = z.object({
  eventId: uuid,
  commandId: uuid,
  correlationId: uuid,
  causationId: uuid,
  actorId: z.string().min(1),
  occurredAt: isoDateTime,
  schemaVersion: z.number().int().positive(),
});
export type EventMetadata = z.infer<typeof eventMetadata>;

export const commandAccepted = z.object({
  id: uuid,
  version: z.number().int().nonnegative(),
  checkpoint,
});
export type CommandAccepted = z.infer<typeof commandAccepted>;

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    rule: z.string().optional(),
    currentVersion: z.number().optional(),
  })
  .loose();
export type ProblemDto = z.infer<typeof problem>;

export const queryMeta = z.object({
  checkpoint,
  /** True when minCheckpoint was asked for but not reached within the wait limit. */
  stale: z.boolean(),
});

export const minCheckpointQuery = z.object({ minCheckpoint: checkpoint.optional() });
