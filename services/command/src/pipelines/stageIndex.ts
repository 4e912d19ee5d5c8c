import type pg from 'pg';
import type { EventStore } from '@leadline/eventstore';
import { DEFAULT_PIPELINE_ID } from '../ids.ts';
import { loadPipeline } from '../reads.ts';

/**
 * The pipeline a stage belongs to. Stage routes name only the stage: the default pipeline's
 * stream answers for its stages (no read model needed); other pipelines' stages are found in the
 * read model (`read.stages`, or `read.stage_versions` for a deleted one), then the decision is
 * taken on that pipeline's stream, which refuses a stage it does not hold.
 */
export async function pipelineOfStage(pool: pg.Pool, store: EventStore, stageId: string): Promise<string | null> {
  const fallback = await loadPipeline(store, DEFAULT_PIPELINE_ID);
  if (fallback.status === 'active' && (fallback.stages.some((s) => s.id === stageId) || fallback.deletedStageIds.includes(stageId))) return DEFAULT_PIPELINE_ID;
  try {
    const { rows } = await pool.query<{ pipeline_id: string }>(
      `SELECT pipeline_id FROM read.stages WHERE id = $1 UNION ALL SELECT pipeline_id FROM read.stage_versions WHERE stage_id = $1 LIMIT 1`,
      [stageId],
    );
    return rows[0]?.pipeline_id ?? null;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return null;
    throw err;
  }
}
