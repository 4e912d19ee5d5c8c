import type pg from 'pg';
import type { EventStore } from '@leadline/eventstore';
import { loadAggregate } from './events.ts';
import { pipelineAggregate, type PipelineState } from './pipelines/pipeline.ts';
import { userAggregate, type UserState } from './users/user.ts';

export const pipelineStream = (id: string): string => `pipeline-${id}`;
export const leadStream = (id: string): string => `lead-${id}`;
export const userStream = (id: string): string => `user-${id}`;

export async function loadPipeline(store: EventStore, pipelineId: string): Promise<PipelineState> {
  return (await loadAggregate(store, pipelineStream(pipelineId), pipelineAggregate)).state;
}

export async function loadUser(store: EventStore, userId: string | null): Promise<UserState> {
  if (userId === null) return userAggregate.initialState;
  return (await loadAggregate(store, userStream(userId), userAggregate)).state;
}

/**
 * The smallest rank in a column, from the read model. A placement hint only: a stale or
 * missing read model puts a card lower than the top, never breaks a command.
 */
export async function topRankInStage(pool: pg.Pool, stageId: string): Promise<string | null> {
  try {
    const { rows } = await pool.query<{ rank: string }>('SELECT rank FROM read.leads WHERE stage_id = $1 ORDER BY rank COLLATE "C", id LIMIT 1', [stageId]);
    return rows[0]?.rank ?? null;
  } catch (err) {
    // 42P01 undefined_table, 3F000 invalid_schema_name: the projector has not created the view yet.
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return null;
    throw err;
  }
}
