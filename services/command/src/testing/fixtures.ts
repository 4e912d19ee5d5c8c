import crypto from 'node:crypto';
import { completeLeadFields, defaultStages, type LeadFields } from '@leadline/contracts';
import type { Role } from '@leadline/platform';
import type { CommandMetadata } from '../events.ts';
import { deterministicId } from '../ids.ts';
import { evolve as evolvePipeline, initialState as noPipeline, type PipelineEvent, type PipelineState } from '../pipelines/pipeline.ts';
import { evolve as evolveUser, initialState as noUser, type UserState } from '../users/user.ts';

export const PIPELINE_ID = deterministicId('test:pipeline');
export const stageIds = defaultStages.map((_, i) => deterministicId(`test:stage:${i}`));
export const [NEW, QUALIFIED, CONTACTED, PROPOSAL, WON, LOST] = stageIds;

export const pipelineEvents: PipelineEvent[] = [
  { type: 'PipelineCreated', data: { pipelineId: PIPELINE_ID, name: 'Sales', isDefault: true } },
  ...defaultStages.map((s, i): PipelineEvent => ({ type: 'StageAdded', data: { pipelineId: PIPELINE_ID, stageId: stageIds[i], ...s, orderPosition: i, isActive: true } })),
  { type: 'LostReasonsSet', data: { pipelineId: PIPELINE_ID, reasons: ['Price too high', 'Chose a competitor'], allowFreeText: true } },
];

export const pipeline: PipelineState = pipelineEvents.reduce(evolvePipeline, noPipeline);

export const userWith = (id: string, role: Role): UserState =>
  evolveUser(noUser, { type: 'UserCreated', data: { userId: id, email: `${role}-${id.slice(0, 4)}@example.com`, name: role, role } });

export const metaFor = (userId: string, role: Role): CommandMetadata => ({
  commandId: crypto.randomUUID(),
  correlationId: crypto.randomUUID(),
  actor: { userId, role },
  occurredAt: '2026-11-02T10:00:00.000Z',
});

export const emptyFields: LeadFields = completeLeadFields();
