import { ConflictError, ForbiddenError, NotFoundError } from '@leadline/platform';
import type { CommandMetadata, EventPayload } from '../events.ts';
import type { PipelineState } from './pipeline.ts';

export type AddStage = {
  type: 'AddStage';
  data: {
    pipelineId: string;
    stageId: string;
    name: string;
    color: string;
    probability: number;
    isWon: boolean;
    isLost: boolean;
    orderPosition?: number;
  };
  metadata: CommandMetadata;
};

export type PipelineCommand = AddStage;
export type PipelineEvent = EventPayload<'PipelineCreated' | 'StageAdded'>;

export function addStage(command: AddStage, state: PipelineState): PipelineEvent[] {
  const { actor } = command.metadata;
  if (actor.role !== 'admin' && actor.role !== 'manager') throw new ForbiddenError('Only admins and managers manage stages');
  if (state.status !== 'active') throw new NotFoundError(`Pipeline ${command.data.pipelineId} not found`);
  const { data } = command;
  const name = data.name.trim();
  const clash = state.stages.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new ConflictError(`A stage named "${clash.name}" already exists in this pipeline`, { rule: 'stage-name-taken' });
  const orderPosition = data.orderPosition ?? state.stages.reduce((max, s) => Math.max(max, s.orderPosition + 1), 0);
  return [
    {
      type: 'StageAdded',
      data: {
        pipelineId: state.id,
        stageId: data.stageId,
        name,
        color: data.color,
        orderPosition,
        isActive: true,
        isWon: data.isWon,
        isLost: data.isLost,
        probability: data.probability,
      },
    },
  ];
}

export function decide(command: PipelineCommand, state: PipelineState): PipelineEvent[] {
  switch (command.type) {
    case 'AddStage':
      return addStage(command, state);
    default: {
      const _exhaustive: never = command.type;
      throw new Error(`Unknown pipeline command ${String(_exhaustive)}`);
    }
  }
}
