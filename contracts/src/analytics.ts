import { z } from 'zod';
import { checkpoint, isoDateTime, queryMeta, uuid } from './common.ts';

/** A past moment to show the pipeline as it stood then (read-only, from the recorded history). */
export const asOf = isoDateTime;

export const overviewQuery = z.object({ pipelineId: uuid.optional(), asOf: asOf.optional(), minCheckpoint: checkpoint.optional() });

export const overviewStage = z.object({
  stageId: uuid,
  name: z.string(),
  color: z.string(),
  isWon: z.boolean(),
  isLost: z.boolean(),
  probability: z.number().int(),
  rottingDays: z.number().int().nullable(),
  count: z.number().int(),
  /** Absent when the deal value (weighted: or the probability) is hidden from the reader on some leads it would sum. */
  totalValue: z.number().optional(),
  weightedValue: z.number().optional(),
  /** Days the stage's leads have been in it (at asOf, or now); null for an empty stage. */
  avgAgeDays: z.number().nullable(),
  medianAgeDays: z.number().nullable(),
  /** Leads with no move and no other change for longer than the stage's rottingDays. */
  rottingCount: z.number().int(),
});
export type OverviewStage = z.infer<typeof overviewStage>;

export const pipelineOverview = queryMeta.extend({ pipelineId: uuid, asOf: isoDateTime.nullable(), at: isoDateTime, stages: z.array(overviewStage) });
export type PipelineOverview = z.infer<typeof pipelineOverview>;

export const conversionQuery = z
  .object({
    pipelineId: uuid.optional(),
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    ownerId: uuid.optional(),
    minCheckpoint: checkpoint.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['from'] });

export const conversionStage = z.object({
  stageId: uuid,
  name: z.string(),
  isWon: z.boolean(),
  isLost: z.boolean(),
  /** Leads of the cohort that reached this stage or a later open/won one (skips count as passing through). */
  reached: z.number().int(),
  /** reached(next open or won stage) / reached(this stage); null for the last step or when none reached it. */
  conversionToNext: z.number().nullable(),
  /** Every recorded entry into the stage in the window, re-entries included. */
  entries: z.number().int(),
  /** Entries that came from a later stage (a step back). */
  backwardEntries: z.number().int(),
  /** Stays in the stage that ended within the window, in days: read from a histogram of stay lengths (within ±2.6%). */
  medianDays: z.number().nullable(),
  p90Days: z.number().nullable(),
  /** Leads moved from this stage straight into a lost stage within the window. */
  lostFrom: z.number().int(),
});

export const conversionRates = queryMeta.extend({
  pipelineId: uuid,
  /** The window as answered: the requested one widened to whole UTC days. */
  from: isoDateTime,
  to: isoDateTime,
  ownerId: uuid.nullable(),
  /** Leads that entered the pipeline (created in it, or moved in from another) within the window. */
  cohort: z.number().int(),
  stages: z.array(conversionStage),
  won: z.number().int(),
  lost: z.number().int(),
  /** won / (won + lost): entries into won and lost stages within the window; null when none closed. */
  winRate: z.number().nullable(),
  /** The stage most lost leads were in right before they were lost (null when none were lost). */
  mostLostStageId: uuid.nullable(),
  /** Every recorded stage-to-stage move in the window (same-stage reorders excluded). */
  transitions: z.array(z.object({ fromStageId: uuid, toStageId: uuid, count: z.number().int() })),
});
export type ConversionRates = z.infer<typeof conversionRates>;
