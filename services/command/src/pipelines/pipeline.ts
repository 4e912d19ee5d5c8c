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
};

export type PipelineState =
  | { status: 'none' }
  | { status: 'active'; id: string; name: string; isDefault: boolean; stages: Stage[] };

export const initialState: PipelineState = { status: 'none' };

export function evolve(state: PipelineState, event: EventPayload): PipelineState {
  switch (event.type) {
    case 'PipelineCreated':
      return { status: 'active', id: event.data.pipelineId, name: event.data.name, isDefault: event.data.isDefault, stages: [] };
    case 'StageAdded': {
      if (state.status !== 'active') return state;
      const { pipelineId: _pipelineId, stageId, ...stage } = event.data;
      return { ...state, stages: [...state.stages.filter((s) => s.id !== stageId), { id: stageId, ...stage }] };
    }
    case 'LeadCreated':
    case 'LeadDetailsUpdated':
    case 'LeadMovedToStage':
    case 'LeadAssigned':
    case 'UserCreated':
    case 'UserEmailReserved':
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const pipelineAggregate = { initialState, evolve };

/** Active stages in board order. */
export const orderedStages = (pipeline: PipelineState): Stage[] =>
  pipeline.status === 'active'
    ? pipeline.stages.filter((s) => s.isActive).sort((a, b) => a.orderPosition - b.orderPosition || a.name.localeCompare(b.name))
    : [];

export const activeStage = (pipeline: PipelineState, stageId: string): Stage | undefined => orderedStages(pipeline).find((s) => s.id === stageId);

export const isClosed = (stage: Stage): boolean => stage.isWon || stage.isLost;

/** Where a new lead goes when no stage is named: the first open stage on the board. */
export const firstOpenStage = (pipeline: PipelineState): Stage | undefined => orderedStages(pipeline).find((s) => !isClosed(s));
