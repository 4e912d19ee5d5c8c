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
  /** The open stage the lead was last in, where a reopen puts it back by default. */
  lastOpenStageId: string | null;
  fields: LeadFields;
  /** The person was forgotten (LeadForgotten): their personal data is unreadable, and no more is recorded. */
  forgotten: boolean;
};

export type LeadState = { status: 'none' } | ActiveLead;

export const initialState: LeadState = { status: 'none' };

const fieldNames = new Set<string>(leadFieldNames);

export const leadEventTypes = ['LeadCreated', 'LeadDetailsUpdated', 'LeadMovedToStage', 'LeadDealValueChanged', 'LeadExpectedCloseDateChanged', 'LeadProbabilityChanged', 'LeadAssigned', 'LeadForgotten'] as const;
export type LeadEvent = EventPayload<(typeof leadEventTypes)[number]>;

export function evolve(state: LeadState, event: LeadEvent): LeadState {
  switch (event.type) {
    case 'LeadCreated': {
      const { leadId, pipelineId, stageId, rank, ownerId, fields } = event.data;
      return { status: 'active', id: leadId, pipelineId, stageId, rank, ownerId, lostReason: null, lastOpenStageId: stageId, fields, forgotten: false };
    }
    case 'LeadDetailsUpdated': {
      if (state.status !== 'active') return state;
      const fields = { ...state.fields } as Record<string, unknown>;
      for (const [name, change] of Object.entries(event.data.changes)) if (fieldNames.has(name)) fields[name] = change.to;
      return { ...state, fields: fields as LeadFields };
    }
    case 'LeadMovedToStage':
      if (state.status !== 'active') return state;
      return {
        ...state,
        pipelineId: event.data.pipelineId,
        stageId: event.data.toStageId,
        rank: event.data.rank,
        lostReason: event.data.lostReason,
        // A move recorded with a lost reason or a won value entered a closed stage; the open stage before it is kept.
        lastOpenStageId: event.data.lostReason !== null || event.data.wonValue !== null ? state.lastOpenStageId : event.data.toStageId,
      };
    case 'LeadDealValueChanged':
      return state.status === 'active' ? { ...state, fields: { ...state.fields, dealValue: event.data.to } } : state;
    case 'LeadExpectedCloseDateChanged':
      return state.status === 'active' ? { ...state, fields: { ...state.fields, expectedCloseDate: event.data.to } } : state;
    case 'LeadProbabilityChanged':
      return state.status === 'active' ? { ...state, fields: { ...state.fields, probability: event.data.to } } : state;
    case 'LeadAssigned':
      if (state.status !== 'active') return state;
      return { ...state, ownerId: event.data.ownerId };
    case 'LeadForgotten':
      return state.status === 'active' ? { ...state, forgotten: true } : state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const leadAggregate = { initialState, eventTypes: leadEventTypes, evolve };
