import type { EventPayload } from '../events.ts';

export type Stage = {
  id: string;
  name: string;
  color: string;
  orderPosition: number;
  isActive: boolean;
  isWon: boolean;
  isLost: boolean;
  probability: number;
  rottingDays: number | null;
};

export type ActivePipeline = {
  status: 'active';
  id: string;
  name: string;
  isDefault: boolean;
  isArchived: boolean;
  /** Live stages (deleted ones leave this list and go to deletedStageIds). */
  stages: Stage[];
  deletedStageIds: string[];
  lostReasons: string[];
  allowFreeTextLostReason: boolean;
};

export type PipelineState = { status: 'none' } | ActivePipeline;

export const initialState: PipelineState = { status: 'none' };

export const pipelineEventTypes = ['PipelineCreated', 'StageAdded', 'StageUpdated', 'StagesReordered', 'StageDeleted', 'PipelineRenamed', 'PipelineArchived', 'LostReasonsSet'] as const;
export type PipelineEvent = EventPayload<(typeof pipelineEventTypes)[number]>;

export function evolve(state: PipelineState, event: PipelineEvent): PipelineState {
  switch (event.type) {
    case 'PipelineCreated':
      return {
        status: 'active',
        id: event.data.pipelineId,
        name: event.data.name,
        isDefault: event.data.isDefault,
        isArchived: false,
        stages: [],
        deletedStageIds: [],
        // Pipelines created before lost reasons were managed accept any reason.
        lostReasons: [],
        allowFreeTextLostReason: true,
      };
    case 'StageAdded':
    case 'StageUpdated': {
      if (state.status !== 'active') return state;
      const { pipelineId: _pipelineId, stageId, ...fields } = event.data;
      const before = state.stages.find((s) => s.id === stageId);
      const orderPosition = 'orderPosition' in fields ? fields.orderPosition : (before?.orderPosition ?? 0);
      const stage: Stage = { ...fields, id: stageId, orderPosition };
      return { ...state, stages: [...state.stages.filter((s) => s.id !== stageId), stage] };
    }
    case 'StagesReordered': {
      if (state.status !== 'active') return state;
      const position = new Map(event.data.stageIds.map((id, i) => [id, i]));
      return { ...state, stages: state.stages.map((s) => (position.has(s.id) ? { ...s, orderPosition: position.get(s.id)! } : s)) };
    }
    case 'StageDeleted':
      if (state.status !== 'active') return state;
      return { ...state, stages: state.stages.filter((s) => s.id !== event.data.stageId), deletedStageIds: [...state.deletedStageIds, event.data.stageId] };
    case 'PipelineRenamed':
      return state.status === 'active' ? { ...state, name: event.data.name } : state;
    case 'PipelineArchived':
      return state.status === 'active' ? { ...state, isArchived: true } : state;
    case 'LostReasonsSet':
      return state.status === 'active' ? { ...state, lostReasons: event.data.reasons, allowFreeTextLostReason: event.data.allowFreeText } : state;
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const pipelineAggregate = { initialState, eventTypes: pipelineEventTypes, evolve };

/** Every live stage (active or not) in board order. */
export const allStages = (pipeline: PipelineState): Stage[] =>
  pipeline.status === 'active' ? [...pipeline.stages].sort((a, b) => a.orderPosition - b.orderPosition || a.name.localeCompare(b.name)) : [];

/** Active stages in board order. */
export const orderedStages = (pipeline: PipelineState): Stage[] => allStages(pipeline).filter((s) => s.isActive);

export const activeStage = (pipeline: PipelineState, stageId: string): Stage | undefined => orderedStages(pipeline).find((s) => s.id === stageId);

export const isClosed = (stage: Stage): boolean => stage.isWon || stage.isLost;

/** Where a new lead goes when no stage is named: the first open stage on the board. */
export const firstOpenStage = (pipeline: PipelineState): Stage | undefined => orderedStages(pipeline).find((s) => !isClosed(s));
