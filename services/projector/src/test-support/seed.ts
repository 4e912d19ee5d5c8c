import crypto from 'node:crypto';
import type { EventStore } from '@leadline/eventstore';
import { append, leadAssigned, leadCreated, leadDetailsUpdated, leadMoved, pipelineCreated, stageAdded, userCreated } from './events.ts';

export type Seeded = { checkpoint: string; pipelineId: string; stageIds: string[]; userIds: string[]; leadIds: string[] };

/** A small but complete history: a pipeline with four stages, users, and leads that are edited, moved and assigned. */
export async function seedHistory(store: EventStore, leads = 12): Promise<Seeded> {
  const pipelineId = crypto.randomUUID();
  const stageIds = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  await append(
    store,
    `pipeline-${pipelineId}`,
    pipelineCreated(pipelineId),
    stageAdded(pipelineId, stageIds[0], { name: 'New', probability: 10, orderPosition: 0 }),
    stageAdded(pipelineId, stageIds[1], { name: 'Proposal', probability: 70, orderPosition: 1 }),
    stageAdded(pipelineId, stageIds[2], { name: 'Won', probability: 100, orderPosition: 2, isWon: true }),
    stageAdded(pipelineId, stageIds[3], { name: 'Lost', probability: 0, orderPosition: 3, isLost: true }),
  );
  const userIds = [crypto.randomUUID(), crypto.randomUUID()];
  for (const [i, userId] of userIds.entries()) {
    await append(store, `user-${userId}`, userCreated({ userId, email: `user${i}-${userId.slice(0, 8)}@example.com`, name: `User ${i}` }));
  }
  const leadIds: string[] = [];
  let checkpoint = '';
  for (let i = 0; i < leads; i++) {
    const leadId = crypto.randomUUID();
    leadIds.push(leadId);
    const events = [
      leadCreated({ leadId, pipelineId, stageId: stageIds[0], rank: `a${i}`, fields: { company: `Company ${i}`, dealValue: 100 * (i + 1) + 0.25 } }),
    ];
    if (i % 2 === 0) events.push(leadDetailsUpdated(leadId, { probability: 20 + i, email: `lead${i}@example.com` }));
    if (i % 3 === 0) events.push(leadMoved({ leadId, pipelineId, fromStageId: stageIds[0], toStageId: stageIds[1], rank: `b${i}` }));
    if (i % 6 === 0) events.push(leadMoved({ leadId, pipelineId, fromStageId: stageIds[1], toStageId: stageIds[2], rank: `c${i}`, wonValue: 100 * (i + 1) + 0.25 }));
    if (i % 5 === 1 && i % 3 !== 0) events.push(leadMoved({ leadId, pipelineId, fromStageId: stageIds[0], toStageId: stageIds[3], rank: `d${i}`, lostReason: 'timing' }));
    events.push(leadAssigned(leadId, userIds[i % 2]));
    checkpoint = await append(store, `lead-${leadId}`, ...events);
  }
  return { checkpoint, pipelineId, stageIds, userIds, leadIds };
}
