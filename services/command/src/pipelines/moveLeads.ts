import type pg from 'pg';
import type { EventStore } from '@leadline/eventstore';
import type { CommandMetadata } from '../events.ts';
import { handleCommand, type StreamOutcome } from '../handler.ts';
import { decide } from '../leads/decide.ts';
import { leadAggregate } from '../leads/lead.ts';
import { leadStream, loadPipeline, topRankInStage, waitForLeadCards } from '../reads.ts';

const MAX_ROUNDS = 5;

/** Leads in a stage according to the read model (the write side keeps no index of stage members). */
export async function leadsInStage(pool: pg.Pool, stageId: string): Promise<string[]> {
  try {
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM read.leads WHERE stage_id = $1 ORDER BY rank COLLATE "C", id', [stageId]);
    return rows.map((r) => r.id);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return [];
    throw err;
  }
}

/**
 * Moves every lead still in a deleted stage to the target, each by its own LeadMovedToStage
 * (actor and command of the delete, so the audit trail says why). A move into a lost target
 * records the deletion as the lost reason. Runs until the stage is empty: leads moved into the
 * stage by commands that raced the delete are picked up by the next round.
 */
export async function moveLeadsOut(
  deps: { pool: pg.Pool; eventStore: EventStore },
  input: { pipelineId: string; stageId: string; stageName: string; targetId: string; afterCheckpoint: string; metadata: CommandMetadata },
): Promise<StreamOutcome[]> {
  const outcomes: StreamOutcome[] = [];
  let checkpoint = input.afterCheckpoint;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    await waitForLeadCards(deps.pool, checkpoint);
    const ids = await leadsInStage(deps.pool, input.stageId);
    if (ids.length === 0) break;
    for (const leadId of ids) {
      const outcome = await handleCommand(deps.eventStore, {
        streamId: leadStream(leadId),
        aggregate: leadAggregate,
        metadata: input.metadata,
        scope: leadStream(leadId),
        decide: async (loaded) => {
          if (loaded.state.status !== 'active' || loaded.state.stageId !== input.stageId) return [];
          const [pipeline, topRank] = await Promise.all([loadPipeline(deps.eventStore, input.pipelineId), topRankInStage(deps.pool, input.targetId)]);
          const target = pipeline.status === 'active' ? pipeline.stages.find((s) => s.id === input.targetId) : undefined;
          const deletedReason = `Stage "${input.stageName}" was deleted`;
          const lostReason = !target?.isLost || pipeline.status !== 'active' ? undefined : pipeline.allowFreeTextLostReason ? deletedReason : pipeline.lostReasons[0];
          // The delete is a manager's decision: the move is decided with the manager as actor.
          return decide({ type: 'MoveLeadToStage', data: { leadId, stageId: input.targetId, lostReason }, context: { pipeline, above: null, below: null, topRank }, metadata: input.metadata }, loaded.state);
        },
      });
      outcomes.push(outcome);
      if (outcome.checkpoint > checkpoint) checkpoint = outcome.checkpoint;
    }
  }
  return outcomes;
}
