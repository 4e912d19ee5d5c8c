import type pg from 'pg';
import type { EventStore } from '@leadline/eventstore';
import { StoreUnavailableError } from '@leadline/platform';
import { loadCachedState } from './aggregateCache.ts';
import { pipelineAggregate, type PipelineState } from './pipelines/pipeline.ts';
import { userAggregate, type UserState } from './users/user.ts';

export const pipelineStream = (id: string): string => `pipeline-${id}`;
export const leadStream = (id: string): string => `lead-${id}`;
export const userStream = (id: string): string => `user-${id}`;

/** Cached fold plus the fresh tail (aggregateCache.ts): a pipeline's stages without re-reading its whole stream. */
export async function loadPipeline(store: EventStore, pipelineId: string): Promise<PipelineState> {
  return (await loadCachedState(store, pipelineStream(pipelineId), pipelineAggregate)).state;
}

export async function loadUser(store: EventStore, userId: string | null): Promise<UserState> {
  if (userId === null) return userAggregate.initialState;
  return (await loadCachedState(store, userStream(userId), userAggregate)).state;
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

const CATCH_UP_TIMEOUT_MS = 15_000;

/**
 * Waits until the lead_cards projection has applied everything up to `checkpoint`: commands that
 * must see every lead of a stage or an owner (delete-with-move, redistribution) read the read model.
 */
export async function waitForLeadCards(pool: pg.Pool, checkpoint: string): Promise<void> {
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
  for (;;) {
    const { rows } = await pool
      .query<{ checkpoint: string }>(`SELECT checkpoint FROM projector.projections WHERE name = 'lead_cards'`)
      .catch(() => ({ rows: [] as { checkpoint: string }[] }));
    if (rows[0] && rows[0].checkpoint >= checkpoint) return;
    if (Date.now() > deadline) throw new StoreUnavailableError('The lead read model did not catch up in time; retry shortly');
    await new Promise((r) => setTimeout(r, 50));
  }
}
