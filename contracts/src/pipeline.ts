import { z } from 'zod';
import { probability, uuid } from './common.ts';

export const hexColor = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'must be #RRGGBB');
export const stageName = z.string().trim().min(1).max(50);

export const stageDto = z.object({
  id: uuid,
  pipelineId: uuid,
  name: z.string(),
  color: z.string(),
  orderPosition: z.number().int(),
  isActive: z.boolean(),
  isWon: z.boolean(),
  isLost: z.boolean(),
  probability,
});
export type StageDto = z.infer<typeof stageDto>;

export const createStageBody = z
  .object({
    pipelineId: uuid.optional(),
    name: stageName,
    color: hexColor.default('#64748B'),
    probability: probability.default(10),
    isWon: z.boolean().default(false),
    isLost: z.boolean().default(false),
    orderPosition: z.number().int().min(0).max(1000).optional(),
  })
  .refine((s) => !(s.isWon && s.isLost), { message: 'a stage cannot be both won and lost', path: ['isLost'] });
export type CreateStageBody = z.infer<typeof createStageBody>;

export const pipelineCreatedV1 = z.object({ pipelineId: uuid, name: z.string(), isDefault: z.boolean() });

export const stageAddedV1 = z.object({
  pipelineId: uuid,
  stageId: uuid,
  name: z.string(),
  color: z.string(),
  orderPosition: z.number().int(),
  isActive: z.boolean(),
  isWon: z.boolean(),
  isLost: z.boolean(),
  probability,
});

/** The stages a fresh install starts with. */
export const defaultStages = [
  { name: 'New', color: '#64748B', probability: 10, isWon: false, isLost: false },
  { name: 'Qualified', color: '#0EA5E9', probability: 25, isWon: false, isLost: false },
  { name: 'Contacted', color: '#6366F1', probability: 40, isWon: false, isLost: false },
  { name: 'Proposal', color: '#F59E0B', probability: 70, isWon: false, isLost: false },
  { name: 'Won', color: '#16A34A', probability: 100, isWon: true, isLost: false },
  { name: 'Lost', color: '#DC2626', probability: 0, isWon: false, isLost: true },
] as const;
