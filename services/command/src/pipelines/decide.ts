import { defaultLostReasons, defaultStages } from '@leadline/contracts';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError } from '@leadline/platform';
import type { Actor, CommandMetadata, EventPayload } from '../events.ts';
import { allStages, type ActivePipeline, type PipelineState, type Stage } from './pipeline.ts';

type StageSettings = { name: string; color: string; probability: number; isWon: boolean; isLost: boolean; rottingDays: number | null };

export type CreatePipeline = { type: 'CreatePipeline'; data: { pipelineId: string; name: string; stageIds: string[] }; metadata: CommandMetadata };
export type RenamePipeline = { type: 'RenamePipeline'; data: { pipelineId: string; name: string }; metadata: CommandMetadata };
export type ArchivePipeline = { type: 'ArchivePipeline'; data: { pipelineId: string }; metadata: CommandMetadata };
export type AddStage = {
  type: 'AddStage';
  data: { pipelineId: string; stageId: string; orderPosition?: number } & StageSettings;
  metadata: CommandMetadata;
};
export type UpdateStage = {
  type: 'UpdateStage';
  data: { pipelineId: string; stageId: string; changes: Partial<StageSettings & { isActive: boolean }> };
  metadata: CommandMetadata;
};
export type ReorderStages = { type: 'ReorderStages'; data: { pipelineId: string; stageIds: string[] }; metadata: CommandMetadata };
export type DeleteStage = { type: 'DeleteStage'; data: { pipelineId: string; stageId: string; moveToStageId: string | null }; metadata: CommandMetadata };
export type SetLostReasons = { type: 'SetLostReasons'; data: { pipelineId: string; reasons: string[]; allowFreeText: boolean }; metadata: CommandMetadata };

export type PipelineCommand = CreatePipeline | RenamePipeline | ArchivePipeline | AddStage | UpdateStage | ReorderStages | DeleteStage | SetLostReasons;
export type PipelineEvent = EventPayload<
  'PipelineCreated' | 'StageAdded' | 'StageUpdated' | 'StagesReordered' | 'StageDeleted' | 'PipelineRenamed' | 'PipelineArchived' | 'LostReasonsSet'
>;

function assertManager(actor: Actor): void {
  if (actor.role !== 'admin' && actor.role !== 'manager') throw new ForbiddenError('Only admins and managers manage pipelines and stages');
}

function requirePipeline(state: PipelineState, pipelineId: string, options: { allowArchived?: boolean } = {}): ActivePipeline {
  if (state.status !== 'active') throw new NotFoundError(`Pipeline ${pipelineId} not found`);
  if (state.isArchived && !options.allowArchived) throw new IllegalStateError('pipeline-archived', `Pipeline "${state.name}" is archived`);
  return state;
}

function requireStage(pipeline: ActivePipeline, stageId: string): Stage {
  const stage = pipeline.stages.find((s) => s.id === stageId);
  if (!stage) throw new NotFoundError(`Stage ${stageId} not found in pipeline ${pipeline.id}`);
  return stage;
}

function assertNameFree(pipeline: ActivePipeline, name: string, exceptId?: string): void {
  const clash = pipeline.stages.find((s) => s.id !== exceptId && s.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new ConflictError(`A stage named "${clash.name}" already exists in this pipeline`, { rule: 'stage-name-taken' });
}

/** A pipeline keeps at least one active open, one won and one lost stage. */
function assertComplete(stages: Stage[]): void {
  const active = stages.filter((s) => s.isActive);
  const missing = [
    active.some((s) => !s.isWon && !s.isLost) ? null : 'open',
    active.some((s) => s.isWon) ? null : 'won',
    active.some((s) => s.isLost) ? null : 'lost',
  ].filter((k): k is string => k !== null);
  if (missing.length) throw new IllegalStateError('pipeline-needs-open-won-lost', `A pipeline keeps at least one active open, one won and one lost stage; this would leave no ${missing.join(', ')} stage`);
}

export function createPipeline(command: CreatePipeline, state: PipelineState): PipelineEvent[] {
  assertManager(command.metadata.actor);
  const { pipelineId, name, stageIds } = command.data;
  if (state.status !== 'none') throw new ConflictError(`Pipeline ${pipelineId} already exists`, { rule: 'pipeline-exists' });
  return [
    { type: 'PipelineCreated', data: { pipelineId, name: name.trim(), isDefault: false } },
    ...defaultStages.map((s, i): PipelineEvent => ({ type: 'StageAdded', data: { pipelineId, stageId: stageIds[i], ...s, orderPosition: i, isActive: true } })),
    { type: 'LostReasonsSet', data: { pipelineId, reasons: [...defaultLostReasons], allowFreeText: true } },
  ];
}

export function renamePipeline(command: RenamePipeline, state: PipelineState): PipelineEvent[] {
  assertManager(command.metadata.actor);
  const pipeline = requirePipeline(state, command.data.pipelineId);
  const name = command.data.name.trim();
  return name === pipeline.name ? [] : [{ type: 'PipelineRenamed', data: { pipelineId: pipeline.id, name } }];
}

export function archivePipeline(command: ArchivePipeline, state: PipelineState): PipelineEvent[] {
  assertManager(command.metadata.actor);
  const pipeline = requirePipeline(state, command.data.pipelineId, { allowArchived: true });
  if (pipeline.isDefault) throw new IllegalStateError('default-pipeline', 'The default pipeline cannot be archived');
  return pipeline.isArchived ? [] : [{ type: 'PipelineArchived', data: { pipelineId: pipeline.id } }];
}

export function addStage(command: AddStage, state: PipelineState): PipelineEvent[] {
  assertManager(command.metadata.actor);
  const pipeline = requirePipeline(state, command.data.pipelineId);
  const { data } = command;
  const name = data.name.trim();
  assertNameFree(pipeline, name);
  const orderPosition = data.orderPosition ?? pipeline.stages.reduce((max, s) => Math.max(max, s.orderPosition + 1), 0);
  return [
    {
      type: 'StageAdded',
      data: {
        pipelineId: pipeline.id,
        stageId: data.stageId,
        name,
        color: data.color,
        orderPosition,
        isActive: true,
        isWon: data.isWon,
        isLost: data.isLost,
        probability: data.probability,
        rottingDays: data.rottingDays,
      },
    },
  ];
}

export function updateStage(command: UpdateStage, state: PipelineState): PipelineEvent[] {
  assertManager(command.metadata.actor);
  const pipeline = requirePipeline(state, command.data.pipelineId);
  const stage = requireStage(pipeline, command.data.stageId);
  const changes = { ...command.data.changes, ...(command.data.changes.name !== undefined ? { name: command.data.changes.name.trim() } : {}) };
  // Marking a stage won unmarks it lost and the other way round: at most one of them holds.
  if (changes.isWon) changes.isLost = false;
  else if (changes.isLost) changes.isWon = false;
  const after: Stage = { ...stage, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) };
  if (after.name !== stage.name) assertNameFree(pipeline, after.name, stage.id);
  const same = (Object.keys(after) as (keyof Stage)[]).every((k) => after[k] === stage[k]);
  if (same) return [];
  assertComplete(pipeline.stages.map((s) => (s.id === stage.id ? after : s)));
  const { id, orderPosition: _orderPosition, ...fields } = after;
  return [{ type: 'StageUpdated', data: { pipelineId: pipeline.id, stageId: id, ...fields } }];
}

/** The new order must name every live stage exactly once: a list made before someone added or deleted a stage is refused, never half applied. */
export function reorderStages(command: ReorderStages, state: PipelineState): PipelineEvent[] {
  assertManager(command.metadata.actor);
  const pipeline = requirePipeline(state, command.data.pipelineId);
  const wanted = command.data.stageIds;
  const live = new Set(pipeline.stages.map((s) => s.id));
  if (new Set(wanted).size !== wanted.length || wanted.length !== live.size || !wanted.every((id) => live.has(id)))
    throw new ConflictError('The stage list changed meanwhile: stageIds must name every stage of the pipeline exactly once. Reload the stages and try again.', {
      rule: 'stage-list-changed',
      stageIds: allStages(pipeline).map((s) => s.id),
    });
  const current = allStages(pipeline).map((s) => s.id);
  const unchanged = current.every((id, i) => id === wanted[i]) && pipeline.stages.every((s) => s.orderPosition === wanted.indexOf(s.id));
  return unchanged ? [] : [{ type: 'StagesReordered', data: { pipelineId: pipeline.id, stageIds: wanted } }];
}

/**
 * Deleting a stage that was already deleted is allowed again with a target: it appends nothing,
 * and the handler moves whatever leads are still in it (a retry finishing an interrupted delete).
 */
export function deleteStage(command: DeleteStage, state: PipelineState): PipelineEvent[] {
  assertManager(command.metadata.actor);
  const pipeline = requirePipeline(state, command.data.pipelineId);
  const { stageId, moveToStageId } = command.data;
  const target = moveToStageId === null ? undefined : pipeline.stages.find((s) => s.id === moveToStageId && s.isActive);
  if (moveToStageId !== null && (!target || moveToStageId === stageId))
    throw new IllegalStateError('invalid-move-target', `moveToStageId ${moveToStageId} is not another active stage of this pipeline`);
  if (pipeline.deletedStageIds.includes(stageId)) {
    if (moveToStageId === null) throw new NotFoundError(`Stage ${stageId} was deleted`);
    return [];
  }
  requireStage(pipeline, stageId);
  assertComplete(pipeline.stages.filter((s) => s.id !== stageId));
  return [{ type: 'StageDeleted', data: { pipelineId: pipeline.id, stageId, moveToStageId } }];
}

export function setLostReasons(command: SetLostReasons, state: PipelineState): PipelineEvent[] {
  assertManager(command.metadata.actor);
  const pipeline = requirePipeline(state, command.data.pipelineId);
  const reasons = command.data.reasons.map((r) => r.trim());
  const same = pipeline.allowFreeTextLostReason === command.data.allowFreeText && reasons.length === pipeline.lostReasons.length && reasons.every((r, i) => r === pipeline.lostReasons[i]);
  return same ? [] : [{ type: 'LostReasonsSet', data: { pipelineId: pipeline.id, reasons, allowFreeText: command.data.allowFreeText } }];
}

export function decide(command: PipelineCommand, state: PipelineState): PipelineEvent[] {
  switch (command.type) {
    case 'CreatePipeline':
      return createPipeline(command, state);
    case 'RenamePipeline':
      return renamePipeline(command, state);
    case 'ArchivePipeline':
      return archivePipeline(command, state);
    case 'AddStage':
      return addStage(command, state);
    case 'UpdateStage':
      return updateStage(command, state);
    case 'ReorderStages':
      return reorderStages(command, state);
    case 'DeleteStage':
      return deleteStage(command, state);
    case 'SetLostReasons':
      return setLostReasons(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown pipeline command ${JSON.stringify(_exhaustive)}`);
    }
  }
}
