import { z } from 'zod';
import { checkpoint, isoDateTime, queryMeta, uuid } from './common.ts';
import { leadCard } from './leads.ts';
import { stageDto } from './pipeline.ts';

export const boardColumn = stageDto.extend({
  count: z.number().int(),
  totalValue: z.number(),
  cards: z.array(leadCard),
  nextCursor: z.string().nullable(),
});
export type BoardColumn = z.infer<typeof boardColumn>;

export const boardQuery = z.object({
  pipelineId: uuid.optional(),
  /** Show the board as it stood at this moment (read-only, from the recorded history). */
  asOf: isoDateTime.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  minCheckpoint: checkpoint.optional(),
});

export const board = queryMeta.extend({ pipelineId: uuid, asOf: isoDateTime.nullable().optional(), columns: z.array(boardColumn) });
export type Board = z.infer<typeof board>;

export const columnQuery = z.object({
  cursor: z.string().max(500),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  minCheckpoint: checkpoint.optional(),
});
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
