import { z } from 'zod';
import { checkpoint, probability, uuid } from './common.ts';

export const hexColor = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'Choose a colour as #RRGGBB');
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
  rottingDays: z.number().int().nullable(),
});
export type StageDto = z.infer<typeof stageDto>;

/** Days without a move or any other change after which a lead in the stage counts as rotting; null = never. */
export const rottingDays = z.number().int().min(1).max(3650).nullable();

export const createStageBody = z
  .object({
    pipelineId: uuid.optional(),
    name: stageName,
    color: hexColor.default('#64748B'),
    probability: probability.default(10),
    isWon: z.boolean().default(false),
    isLost: z.boolean().default(false),
    rottingDays: rottingDays.default(null),
    orderPosition: z.number().int().min(0).max(1000).optional(),
  })
  .strict()
  .refine((s) => !(s.isWon && s.isLost), { message: 'A stage cannot be both won and lost', path: ['isLost'] });
export type CreateStageBody = z.infer<typeof createStageBody>;

export const updateStageBody = z
  .object({
    name: stageName,
    color: hexColor,
    probability,
    isActive: z.boolean(),
    isWon: z.boolean(),
    isLost: z.boolean(),
    rottingDays,
  })
  .partial()
  .strict()
  .refine((s) => Object.keys(s).length > 0, { message: 'nothing to update', path: [] })
  .refine((s) => !(s.isWon && s.isLost), { message: 'A stage cannot be both won and lost', path: ['isLost'] });
export type UpdateStageBody = z.infer<typeof updateStageBody>;

export const reorderStagesBody = z.object({ pipelineId: uuid, stageIds: z.array(uuid).min(1).max(100) }).strict();
export const stageParams = z.object({ id: uuid });
export const deleteStageQuery = z.object({ moveToStageId: uuid.optional() }).strict();

export const pipelineName = z.string().trim().min(1).max(80);
export const createPipelineBody = z.object({ name: pipelineName }).strict();
export const renamePipelineBody = z.object({ name: pipelineName }).strict();
export const pipelineParams = z.object({ id: uuid });

export const lostReasonText = z.string().trim().min(1).max(100);
export const lostReasonsBody = z
  .object({
    pipelineId: uuid.optional(),
    reasons: z.array(lostReasonText).max(50),
    /** Whether a rep may type a reason that is not in the list (Pipedrive's "free form lost reasons"). */
    allowFreeText: z.boolean(),
  })
  .strict()
  .refine((b) => new Set(b.reasons.map((r) => r.toLowerCase())).size === b.reasons.length, { message: 'Each reason must be different', path: ['reasons'] })
  .refine((b) => b.allowFreeText || b.reasons.length > 0, { message: 'Add at least one reason, or allow free text', path: ['reasons'] });
export type LostReasonsBody = z.infer<typeof lostReasonsBody>;

export const pipelineDto = z.object({
  id: uuid,
  name: z.string(),
  isDefault: z.boolean(),
  isArchived: z.boolean(),
  lostReasons: z.array(z.string()),
  allowFreeTextLostReason: z.boolean(),
  /** The pipeline stream's version: send it as If-Match to reorder or change stages against what you saw. */
  version: z.number().int(),
  createdAt: z.string(),
});
export type PipelineDto = z.infer<typeof pipelineDto>;

export const deleteStageAccepted = z.object({ id: uuid, version: z.number().int(), checkpoint, moved: z.number().int() });

export const pipelineCreatedV1 = z.object({ pipelineId: uuid, name: z.string(), isDefault: z.boolean() });
export const pipelineRenamedV1 = z.object({ pipelineId: uuid, name: z.string() });
export const pipelineArchivedV1 = z.object({ pipelineId: uuid });
export const lostReasonsSetV1 = z.object({ pipelineId: uuid, reasons: z.array(z.string()), allowFreeText: z.boolean() });

const stageFields = {
  name: z.string(),
  color: z.string(),
  isActive: z.boolean(),
  isWon: z.boolean(),
  isLost: z.boolean(),
  probability,
  rottingDays: z.number().int().nullable(),
};

/** v2 added rottingDays (v1 events are upcast with null: never rotting). */
export const stageAddedV2 = z.object({ pipelineId: uuid, stageId: uuid, orderPosition: z.number().int(), ...stageFields });
/** The stage's complete settings after the change. */
export const stageUpdatedV1 = z.object({ pipelineId: uuid, stageId: uuid, ...stageFields });
/** Every stage of the pipeline in its new order; orderPosition = index. */
export const stagesReorderedV1 = z.object({ pipelineId: uuid, stageIds: z.array(uuid) });
/** The stage leaves the pipeline; its leads are then moved to moveToStageId, each by its own LeadMovedToStage. */
export const stageDeletedV1 = z.object({ pipelineId: uuid, stageId: uuid, moveToStageId: uuid.nullable() });

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
  { name: 'New', color: '#64748B', probability: 10, isWon: false, isLost: false, rottingDays: 14 },
  { name: 'Qualified', color: '#0EA5E9', probability: 25, isWon: false, isLost: false, rottingDays: 14 },
  { name: 'Contacted', color: '#6366F1', probability: 40, isWon: false, isLost: false, rottingDays: 10 },
  { name: 'Proposal', color: '#F59E0B', probability: 70, isWon: false, isLost: false, rottingDays: 7 },
  { name: 'Won', color: '#16A34A', probability: 100, isWon: true, isLost: false, rottingDays: null },
  { name: 'Lost', color: '#DC2626', probability: 0, isWon: false, isLost: true, rottingDays: null },
] as const;

/** The lost reasons a new pipeline starts with; free text is allowed too. */
export const defaultLostReasons = ['Price too high', 'Chose a competitor', 'No budget', 'No decision / went silent', 'Bad timing', 'Not a fit'] as const;
