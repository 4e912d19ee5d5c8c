import crypto from 'node:crypto';
import { describe, it } from 'vitest';
import { IllegalStateError } from '@leadline/platform';
import { evolve as evolvePipeline, type PipelineEvent } from '../pipelines/pipeline.ts';
import { deciderSpec } from '../testing/decider.ts';
import { fieldsFor } from '../testing/fields.ts';
import { CONTACTED, LOST, NEW, PIPELINE_ID, PROPOSAL, WON, emptyFields, metaFor, pipeline, pipelineEvents } from '../testing/fixtures.ts';
import { decide, type LeadCommand, type LeadEvent } from './decide.ts';
import { evolve, initialState, type LeadState } from './lead.ts';

const spec = deciderSpec<LeadCommand, LeadState, LeadEvent>({ initialState, evolve, decide });
const leadId = crypto.randomUUID();
const asManager = metaFor(crypto.randomUUID(), 'manager');
const created: LeadEvent = {
  type: 'LeadCreated',
  data: { leadId, pipelineId: PIPELINE_ID, stageId: NEW, rank: 'V', ownerId: null, fields: { ...emptyFields, company: 'Acme', dealValue: 900 } },
};
const moved = (from: string, to: string, extra: { lostReason?: string; wonValue?: number } = {}): Extract<LeadEvent, { type: 'LeadMovedToStage' }> => ({
  type: 'LeadMovedToStage',
  data: { leadId, pipelineId: PIPELINE_ID, fromStageId: from, toStageId: to, rank: 'V', lostReason: extra.lostReason ?? null, wonValue: extra.wonValue ?? null },
});
const move = (stageId: string, lostReason?: string, p = pipeline): LeadCommand => ({
  type: 'MoveLeadToStage',
  data: { leadId, stageId, lostReason },
  context: { pipeline: p, above: null, below: null, topRank: 'V' },
  metadata: asManager,
});
const reopen = (stageId?: string): LeadCommand => ({ type: 'ReopenLead', data: { leadId, stageId }, context: { pipeline, topRank: null }, metadata: asManager });
const strict = [...pipelineEvents, { type: 'LostReasonsSet', data: { pipelineId: PIPELINE_ID, reasons: ['Price too high', 'No budget'], allowFreeText: false } } as PipelineEvent].reduce(
  evolvePipeline,
  { status: 'none' },
);

describe('lost reasons', () => {
  it("takes the list's spelling of a listed reason", () => {
    spec.given([created]).when(move(LOST, 'price TOO high')).then([{ type: 'LeadMovedToStage', data: { ...moved(NEW, LOST).data, rank: 'G', lostReason: 'Price too high' } }]);
  });

  it('accepts free text when the pipeline allows it, refuses it when not', () => {
    spec.given([created]).when(move(LOST, 'Moved abroad')).then([{ type: 'LeadMovedToStage', data: { ...moved(NEW, LOST).data, rank: 'G', lostReason: 'Moved abroad' } }]);
    spec.given([created]).when(move(LOST, 'Moved abroad', strict)).thenThrows(IllegalStateError, { rule: 'unknown-lost-reason' });
  });

  it('needs a reason to enter a lost stage', () => {
    spec.given([created]).when(move(LOST)).thenThrows(IllegalStateError, { rule: 'lost-reason-required' });
  });
});

describe('ReopenLead', () => {
  it('puts a lost lead back in the open stage it was last in, at the top', () => {
    spec
      .given([created, moved(NEW, PROPOSAL), moved(PROPOSAL, LOST, { lostReason: 'No budget' })])
      .when(reopen())
      .then([{ type: 'LeadMovedToStage', data: { leadId, pipelineId: PIPELINE_ID, fromStageId: LOST, toStageId: PROPOSAL, rank: 'V', lostReason: null, wonValue: null } }]);
  });

  it('reopens a won lead into a named open stage', () => {
    spec
      .given([created, moved(NEW, WON, { wonValue: 900 })])
      .when(reopen(CONTACTED))
      .then([{ type: 'LeadMovedToStage', data: { leadId, pipelineId: PIPELINE_ID, fromStageId: WON, toStageId: CONTACTED, rank: 'V', lostReason: null, wonValue: null } }]);
  });

  it('refuses an open lead and a closed target', () => {
    spec.given([created]).when(reopen()).thenThrows(IllegalStateError, { rule: 'lead-not-closed' });
    spec.given([created, moved(NEW, WON, { wonValue: 900 })]).when(reopen(LOST)).thenThrows(IllegalStateError, { rule: 'reopen-into-closed-stage' });
  });
});

describe('forecast fields', () => {
  const update = (changes: Record<string, unknown>): LeadCommand => ({ type: 'UpdateLeadDetails', data: { leadId, changes }, context: { pipeline, fields: fieldsFor(asManager) }, metadata: asManager });
  it('records value, close date and probability each as its own event', () => {
    spec
      .given([created])
      .when(update({ dealValue: 1500, expectedCloseDate: '2026-12-01', probability: 60 }))
      .then([
        { type: 'LeadDealValueChanged', data: { leadId, from: 900, to: 1500 } },
        { type: 'LeadExpectedCloseDateChanged', data: { leadId, from: null, to: '2026-12-01' } },
        { type: 'LeadProbabilityChanged', data: { leadId, from: null, to: 60 } },
      ]);
  });

  it('clearing the probability makes the lead follow its stage again', () => {
    const set: LeadEvent = { type: 'LeadProbabilityChanged', data: { leadId, from: null, to: 60 } };
    spec.given([created, set]).when(update({ probability: null })).then([{ type: 'LeadProbabilityChanged', data: { leadId, from: 60, to: null } }]);
  });
});
