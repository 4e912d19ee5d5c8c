import crypto from 'node:crypto';
import { describe, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError } from '@leadline/platform';
import { deciderSpec } from '../testing/decider.ts';
import { PIPELINE_ID, metaFor, pipelineEvents } from '../testing/fixtures.ts';
import { decide, type PipelineCommand, type PipelineEvent } from './decide.ts';
import { evolve, initialState, type PipelineState } from './pipeline.ts';

const spec = deciderSpec<PipelineCommand, PipelineState, PipelineEvent>({ initialState, evolve, decide });
const given = pipelineEvents as PipelineEvent[];
const stageId = crypto.randomUUID();
const addStage = (name: string, role: 'admin' | 'manager' | 'rep' = 'manager', orderPosition?: number): PipelineCommand => ({
  type: 'AddStage',
  data: { pipelineId: PIPELINE_ID, stageId, name, color: '#112233', probability: 55, isWon: false, isLost: false, orderPosition },
  metadata: metaFor(crypto.randomUUID(), role),
});
const added = (name: string, orderPosition: number): PipelineEvent => ({
  type: 'StageAdded',
  data: { pipelineId: PIPELINE_ID, stageId, name, color: '#112233', orderPosition, isActive: true, isWon: false, isLost: false, probability: 55 },
});

describe('AddStage', () => {
  it('adds the stage after the last one by default', () => {
    spec.given(given).when(addStage('Negotiation')).then([added('Negotiation', 6)]);
  });

  it('keeps an explicit position', () => {
    spec.given(given).when(addStage('Discovery', 'admin', 2)).then([added('Discovery', 2)]);
  });

  it('refuses a name already used in the pipeline, ignoring case', () => {
    spec.given(given).when(addStage('  qualified ')).thenThrows(ConflictError);
  });

  it('is for admins and managers only', () => {
    spec.given(given).when(addStage('Negotiation', 'rep')).thenThrows(ForbiddenError);
  });

  it('answers not found for a pipeline that does not exist', () => {
    spec.given([]).when(addStage('Negotiation')).thenThrows(NotFoundError);
  });
});
