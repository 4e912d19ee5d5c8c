import { z } from 'zod';
import { checkpoint, isoDateTime, queryMeta, uuid } from './common.ts';
import { leadCard } from './leads.ts';
import { stageDto } from './pipeline.ts';

export const boardColumn = stageDto.extend({
  count: z.number().int(),
  /** Absent when the deal value is hidden from the reader on some of the leads it would sum (field permissions). */
  totalValue: z.number().optional(),
  /** Σ deal value × (the lead's probability, else the stage's) / 100, over the same leads as count; absent like totalValue, or when the probability is hidden. */
  weightedValue: z.number().optional(),
  cards: z.array(leadCard),
  nextCursor: z.string().nullable(),
});
export type BoardColumn = z.infer<typeof boardColumn>;

/**
 * Board filters (the web app keeps them in the URL). Cards, counts and sums all honour them.
 * ownerId `none` = unassigned; source matches exactly (ignoring case); minValue/maxValue bound the
 * deal value inclusively (a lead without a value is left out by either bound); q searches name,
 * company and email.
 */
export const boardFilterShape = {
  ownerId: z.union([uuid, z.literal('none')]).optional(),
  source: z.string().trim().min(1).max(100).optional(),
  minValue: z.coerce.number().min(0).max(1e13).optional(),
  maxValue: z.coerce.number().min(0).max(1e13).optional(),
  q: z.string().trim().min(1).max(200).optional(),
};
export type BoardFilter = { ownerId?: string; source?: string; minValue?: number; maxValue?: number; q?: string };
export const valueRangeOrdered = (b: { minValue?: number; maxValue?: number }) => b.minValue === undefined || b.maxValue === undefined || b.minValue <= b.maxValue;
export const valueRangeIssue = { message: 'minValue must not exceed maxValue', path: ['maxValue'] };

export const boardQuery = z.object({
  ...boardFilterShape,
  pipelineId: uuid.optional(),
  /** Show the board as it stood at this moment (read-only, from the recorded history). */
  asOf: isoDateTime.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  minCheckpoint: checkpoint.optional(),
}).refine(valueRangeOrdered, valueRangeIssue);

export const board = queryMeta.extend({ pipelineId: uuid, asOf: isoDateTime.nullable().optional(), columns: z.array(boardColumn) });
export type Board = z.infer<typeof board>;

export const columnQuery = z.object({
  ...boardFilterShape,
  cursor: z.string().max(500),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  minCheckpoint: checkpoint.optional(),
}).refine(valueRangeOrdered, valueRangeIssue);
export const columnPage = queryMeta.extend({ stageId: uuid, cards: z.array(leadCard), nextCursor: z.string().nullable() });

export const stageTotals = z.object({
  stageId: uuid,
  name: z.string(),
  count: z.number().int(),
  totalValue: z.number(),
  weightedValue: z.number(),
});
export const overview = queryMeta.extend({ pipelineId: uuid, stages: z.array(stageTotals) });
export type Overview = z.infer<typeof overview>;
