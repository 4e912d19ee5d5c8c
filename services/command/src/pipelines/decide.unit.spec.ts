import crypto from 'node:crypto';
import { describe, it } from 'vitest';
import { defaultLostReasons, defaultStages } from '@leadline/contracts';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError } from '@leadline/platform';
import { deciderSpec } from '../testing/decider.ts';
import { CONTACTED, LOST, NEW, PIPELINE_ID, PROPOSAL, QUALIFIED, WON, metaFor, pipelineEvents, stageIds } from '../testing/fixtures.ts';
import { decide, type PipelineCommand, type PipelineEvent } from './decide.ts';
import { evolve, initialState, type PipelineState } from './pipeline.ts';

const spec = deciderSpec<PipelineCommand, PipelineState, PipelineEvent>({ initialState, evolve, decide });
const given = pipelineEvents as PipelineEvent[];
const stageId = crypto.randomUUID();
const asManager = () => metaFor(crypto.randomUUID(), 'manager');
const settings = { color: '#112233', probability: 55, isWon: false, isLost: false, rottingDays: 5 };
const addStage = (name: string, role: 'admin' | 'manager' | 'rep' = 'manager', orderPosition?: number): PipelineCommand => ({
  type: 'AddStage',
  data: { pipelineId: PIPELINE_ID, stageId, name, ...settings, orderPosition },
  metadata: metaFor(crypto.randomUUID(), role),
});
const added = (name: string, orderPosition: number): PipelineEvent => ({
  type: 'StageAdded',
  data: { pipelineId: PIPELINE_ID, stageId, name, orderPosition, isActive: true, ...settings },
});
const update = (id: string, changes: Extract<PipelineCommand, { type: 'UpdateStage' }>['data']['changes']): PipelineCommand => ({
  type: 'UpdateStage',
  data: { pipelineId: PIPELINE_ID, stageId: id, changes },
  metadata: asManager(),
});
const remove = (id: string, moveToStageId: string | null = null): PipelineCommand => ({ type: 'DeleteStage', data: { pipelineId: PIPELINE_ID, stageId: id, moveToStageId }, metadata: asManager() });
const reorder = (ids: string[]): PipelineCommand => ({ type: 'ReorderStages', data: { pipelineId: PIPELINE_ID, stageIds: ids }, metadata: asManager() });
const stageState = (i: number) => {
  const { name, color, probability, isWon, isLost, rottingDays } = defaultStages[i];
  return { name, color, probability, isWon, isLost, rottingDays, isActive: true };
};

describe('AddStage', () => {
  it('adds the stage after the last one by default, with its rotting threshold', () => {
    spec.given(given).when(addStage('Negotiation')).then([added('Negotiation', 6)]);
  });

  it('keeps an explicit position', () => {
    spec.given(given).when(addStage('Discovery', 'admin', 2)).then([added('Discovery', 2)]);
  });

  it('refuses a name already used in the pipeline, ignoring case', () => {
    spec.given(given).when(addStage('  qualified ')).thenThrows(ConflictError, { details: { rule: 'stage-name-taken' } });
  });

  it('is for admins and managers only', () => {
    spec.given(given).when(addStage('Negotiation', 'rep')).thenThrows(ForbiddenError);
  });

  it('answers not found for a pipeline that does not exist', () => {
    spec.given([]).when(addStage('Negotiation')).thenThrows(NotFoundError);
  });

  it('refuses an archived pipeline', () => {
    spec.given([...given, { type: 'PipelineArchived', data: { pipelineId: PIPELINE_ID } }]).when(addStage('Late')).thenThrows(IllegalStateError, { rule: 'pipeline-archived' });
  });
});

describe('UpdateStage', () => {
  it('records the complete settings after the change', () => {
    spec
      .given(given)
      .when(update(QUALIFIED, { name: ' Discovery ', probability: 30, rottingDays: null }))
      .then([{ type: 'StageUpdated', data: { pipelineId: PIPELINE_ID, stageId: QUALIFIED, ...stageState(1), name: 'Discovery', probability: 30, rottingDays: null } }]);
  });

  it('appends nothing when nothing changes', () => {
    spec.given(given).when(update(NEW, { probability: 10 })).then([]);
  });

  it('marking a stage won unmarks it lost', () => {
    const extraLost = crypto.randomUUID();
    const withSecondLost: PipelineEvent[] = [...given, { type: 'StageAdded', data: { pipelineId: PIPELINE_ID, stageId: extraLost, name: 'Disqualified', orderPosition: 6, isActive: true, color: '#000000', probability: 0, isWon: false, isLost: true, rottingDays: null } }];
    spec
      .given(withSecondLost)
      .when(update(extraLost, { isWon: true }))
      .then([{ type: 'StageUpdated', data: { pipelineId: PIPELINE_ID, stageId: extraLost, name: 'Disqualified', color: '#000000', probability: 0, isActive: true, isWon: true, isLost: false, rottingDays: null } }]);
  });

  it('keeps at least one active open, won and lost stage', () => {
    spec.given(given).when(update(WON, { isActive: false })).thenThrows(IllegalStateError, { rule: 'pipeline-needs-open-won-lost' });
    spec.given(given).when(update(LOST, { isLost: false })).thenThrows(IllegalStateError, { rule: 'pipeline-needs-open-won-lost' });
  });

  it('refuses a rename to a name taken by another stage', () => {
    spec.given(given).when(update(NEW, { name: 'proposal' })).thenThrows(ConflictError);
  });

  it('answers not found for a deleted stage', () => {
    spec.given([...given, { type: 'StageDeleted', data: { pipelineId: PIPELINE_ID, stageId: CONTACTED, moveToStageId: null } }]).when(update(CONTACTED, { probability: 5 })).thenThrows(NotFoundError);
  });
});

describe('ReorderStages', () => {
  const reversed = [...stageIds].reverse();
  it('records the new order as one event', () => {
    spec.given(given).when(reorder(reversed)).then([{ type: 'StagesReordered', data: { pipelineId: PIPELINE_ID, stageIds: reversed } }]);
  });

  it('appends nothing for the current order', () => {
    spec.given(given).when(reorder(stageIds)).then([]);
  });

  it('refuses a list made before a stage was added or deleted (409, never half applied)', () => {
    spec.given([...given, added('Negotiation', 6)]).when(reorder(reversed)).thenThrows(ConflictError, { details: { rule: 'stage-list-changed' } });
    spec.given(given).when(reorder(reversed.slice(1))).thenThrows(ConflictError);
    spec.given(given).when(reorder([NEW, ...stageIds])).thenThrows(ConflictError);
  });

  it('a second manager reordering from the same list after the first one succeeds: both orders are recorded, the later wins and both see it', () => {
    const first: PipelineEvent = { type: 'StagesReordered', data: { pipelineId: PIPELINE_ID, stageIds: reversed } };
    spec.given([...given, first]).when(reorder(stageIds)).then([{ type: 'StagesReordered', data: { pipelineId: PIPELINE_ID, stageIds } }]);
  });
});

describe('DeleteStage', () => {
  it('deletes a stage with a target for its leads', () => {
    spec.given(given).when(remove(CONTACTED, QUALIFIED)).then([{ type: 'StageDeleted', data: { pipelineId: PIPELINE_ID, stageId: CONTACTED, moveToStageId: QUALIFIED } }]);
  });

  it('refuses a target that is the stage itself, unknown, or inactive', () => {
    spec.given(given).when(remove(CONTACTED, CONTACTED)).thenThrows(IllegalStateError, { rule: 'invalid-move-target' });
    spec.given(given).when(remove(CONTACTED, crypto.randomUUID())).thenThrows(IllegalStateError, { rule: 'invalid-move-target' });
  });

  it('keeps at least one open, one won and one lost stage', () => {
    spec.given(given).when(remove(LOST, PROPOSAL)).thenThrows(IllegalStateError, { rule: 'pipeline-needs-open-won-lost' });
    const onlyOneOpen = [...given, ...[QUALIFIED, CONTACTED, PROPOSAL].map((id): PipelineEvent => ({ type: 'StageDeleted', data: { pipelineId: PIPELINE_ID, stageId: id, moveToStageId: null } }))];
    spec.given(onlyOneOpen).when(remove(NEW, WON)).thenThrows(IllegalStateError, { rule: 'pipeline-needs-open-won-lost' });
  });

  it('with a target again after the delete appends nothing (a retry finishing the moves); without one it is gone', () => {
    const deleted: PipelineEvent = { type: 'StageDeleted', data: { pipelineId: PIPELINE_ID, stageId: CONTACTED, moveToStageId: QUALIFIED } };
    spec.given([...given, deleted]).when(remove(CONTACTED, QUALIFIED)).then([]);
    spec.given([...given, deleted]).when(remove(CONTACTED)).thenThrows(NotFoundError);
  });

  it('is for admins and managers only', () => {
    spec.given(given).when({ ...remove(CONTACTED, NEW), metadata: metaFor(crypto.randomUUID(), 'rep') }).thenThrows(ForbiddenError);
  });
});

describe('pipelines and lost reasons', () => {
  const newId = crypto.randomUUID();
  const ids = defaultStages.map(() => crypto.randomUUID());
  it('creates a pipeline with the default stages and lost reasons', () => {
    spec
      .given([])
      .when({ type: 'CreatePipeline', data: { pipelineId: newId, name: ' Partnerships ', stageIds: ids }, metadata: asManager() })
      .then([
        { type: 'PipelineCreated', data: { pipelineId: newId, name: 'Partnerships', isDefault: false } },
        ...defaultStages.map((s, i): PipelineEvent => ({ type: 'StageAdded', data: { pipelineId: newId, stageId: ids[i], ...s, orderPosition: i, isActive: true } })),
        { type: 'LostReasonsSet', data: { pipelineId: newId, reasons: [...defaultLostReasons], allowFreeText: true } },
      ]);
  });

  it('renames, and never archives the default pipeline', () => {
    spec.given(given).when({ type: 'RenamePipeline', data: { pipelineId: PIPELINE_ID, name: 'Direct sales' }, metadata: asManager() }).then([{ type: 'PipelineRenamed', data: { pipelineId: PIPELINE_ID, name: 'Direct sales' } }]);
    spec.given(given).when({ type: 'ArchivePipeline', data: { pipelineId: PIPELINE_ID }, metadata: asManager() }).thenThrows(IllegalStateError, { rule: 'default-pipeline' });
  });

  it('sets the lost reasons; the same list again appends nothing', () => {
    const set: PipelineCommand = { type: 'SetLostReasons', data: { pipelineId: PIPELINE_ID, reasons: ['Price', 'Timing'], allowFreeText: false }, metadata: asManager() };
    spec.given(given).when(set).then([{ type: 'LostReasonsSet', data: { pipelineId: PIPELINE_ID, reasons: ['Price', 'Timing'], allowFreeText: false } }]);
    spec.given([...given, { type: 'LostReasonsSet', data: { pipelineId: PIPELINE_ID, reasons: ['Price', 'Timing'], allowFreeText: false } }]).when(set).then([]);
  });
});
