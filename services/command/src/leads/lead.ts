import { leadFieldNames, type LeadFields } from '@leadline/contracts';
import type { EventPayload } from '../events.ts';

export type ActiveLead = {
  status: 'active';
  id: string;
  pipelineId: string;
  stageId: string;
  rank: string;
  ownerId: string | null;
  lostReason: string | null;
  fields: LeadFields;
};

export type LeadState = { status: 'none' } | ActiveLead;

export const initialState: LeadState = { status: 'none' };

const fieldNames = new Set<string>(leadFieldNames);

export function evolve(state: LeadState, event: EventPayload): LeadState {
  switch (event.type) {
    case 'LeadCreated': {
      const { leadId, pipelineId, stageId, rank, ownerId, fields } = event.data;
      return { status: 'active', id: leadId, pipelineId, stageId, rank, ownerId, lostReason: null, fields };
    }
    case 'LeadDetailsUpdated': {
      if (state.status !== 'active') return state;
      const fields = { ...state.fields } as Record<string, unknown>;
      for (const [name, change] of Object.entries(event.data.changes)) if (fieldNames.has(name)) fields[name] = change.to;
      return { ...state, fields: fields as LeadFields };
    }
    case 'LeadMovedToStage':
      if (state.status !== 'active') return state;
      return { ...state, pipelineId: event.data.pipelineId, stageId: event.data.toStageId, rank: event.data.rank, lostReason: event.data.lostReason };
    case 'LeadAssigned':
      if (state.status !== 'active') return state;
      return { ...state, ownerId: event.data.ownerId };
    case 'PipelineCreated':
    case 'StageAdded':
    case 'UserCreated':
    case 'UserEmailReserved':
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const leadAggregate = { initialState, evolve };
