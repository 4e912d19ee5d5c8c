import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { append, pipelineCreated, stageAdded } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { stagesProjection } from './projection.ts';

describe('stages projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  beforeAll(async () => {
    h = await projectorHarness({ projections: [stagesProjection] });
    projector = await startProjector(h.deps);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('writes pipelines and their stages', async () => {
    const pipelineId = crypto.randomUUID();
    const newId = crypto.randomUUID();
    const wonId = crypto.randomUUID();
    const created = pipelineCreated(pipelineId, 'Sales', true);
    const cp = await append(
      h.store,
      `pipeline-${pipelineId}`,
      created,
      stageAdded(pipelineId, newId, { name: 'New', orderPosition: 0, probability: 10 }),
      stageAdded(pipelineId, wonId, { name: 'Won', color: '#16A34A', orderPosition: 1, probability: 100, isWon: true }),
    );
    await caughtUp(h.db, 'stages', cp);

    const pipelines = await h.db.pool.query('SELECT * FROM read.pipelines');
    expect(pipelines.rows).toEqual([{ id: pipelineId, name: 'Sales', is_default: true, is_archived: false, lost_reasons: [], allow_free_text_lost_reason: true, version: 3, created_at: new Date((created.metadata as { occurredAt: string }).occurredAt) }]);
    const stages = await h.db.pool.query('SELECT * FROM read.stages ORDER BY order_position');
    expect(stages.rows).toEqual([
      { id: newId, pipeline_id: pipelineId, name: 'New', color: '#64748B', order_position: 0, is_active: true, is_won: false, is_lost: false, probability: 10, rotting_days: null },
      { id: wonId, pipeline_id: pipelineId, name: 'Won', color: '#16A34A', order_position: 1, is_active: true, is_won: true, is_lost: false, probability: 100, rotting_days: null },
    ]);
  });
});
