import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { append, leadCreated, leadDetailsUpdated, leadMoved, pipelineCreated, stageAdded } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { stageTotalsProjection } from './projection.ts';

describe('stage_totals projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  const pipelineId = crypto.randomUUID();
  const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const totals = async () => {
    const { rows } = await h.db.pool.query('SELECT * FROM read.stage_totals WHERE pipeline_id = $1', [pipelineId]);
    return Object.fromEntries(rows.map((r) => [r.stage_id, { count: r.lead_count, total: r.total_value, weighted: r.weighted_value }]));
  };

  beforeAll(async () => {
    h = await projectorHarness({ projections: [stageTotalsProjection] });
    projector = await startProjector(h.deps);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('has a zero row for every stage as soon as it is added', async () => {
    const cp = await append(
      h.store,
      `pipeline-${pipelineId}`,
      pipelineCreated(pipelineId),
      stageAdded(pipelineId, a, { probability: 10 }),
      stageAdded(pipelineId, b, { probability: 50, orderPosition: 1 }),
      stageAdded(pipelineId, c, { probability: 0, orderPosition: 2, isLost: true }),
    );
    await caughtUp(h.db, 'stage_totals', cp);
    expect(await totals()).toEqual({ [a]: { count: 0, total: 0, weighted: 0 }, [b]: { count: 0, total: 0, weighted: 0 }, [c]: { count: 0, total: 0, weighted: 0 } });
  });

  it('counts leads and weighs values by the lead probability, else the stage probability', async () => {
    const [l1, l2, l3] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await append(h.store, `lead-${l1}`, leadCreated({ leadId: l1, pipelineId, stageId: a, fields: { dealValue: 1000 } }));
    await append(h.store, `lead-${l2}`, leadCreated({ leadId: l2, pipelineId, stageId: a, fields: { dealValue: 123.45, probability: 37 } }));
    let cp = await append(h.store, `lead-${l3}`, leadCreated({ leadId: l3, pipelineId, stageId: a, fields: { lastName: 'No value' } }));
    await caughtUp(h.db, 'stage_totals', cp);
    expect((await totals())[a]).toEqual({ count: 3, total: 1123.45, weighted: 100 + 45.6765 });

    cp = await append(h.store, `lead-${l1}`, leadDetailsUpdated(l1, { dealValue: 2000, probability: 90, firstName: 'Ignored here' }));
    await caughtUp(h.db, 'stage_totals', cp);
    expect((await totals())[a]).toEqual({ count: 3, total: 2123.45, weighted: 1800 + 45.6765 });

    cp = await append(h.store, `lead-${l2}`, leadDetailsUpdated(l2, { probability: null }));
    await caughtUp(h.db, 'stage_totals', cp);
    expect((await totals())[a]).toEqual({ count: 3, total: 2123.45, weighted: 1800 + 12.345 });

    cp = await append(h.store, `lead-${l2}`, leadMoved({ leadId: l2, pipelineId, fromStageId: a, toStageId: b }));
    await caughtUp(h.db, 'stage_totals', cp);
    expect(await totals()).toEqual({
      [a]: { count: 2, total: 2000, weighted: 1800 },
      [b]: { count: 1, total: 123.45, weighted: 61.725 },
      [c]: { count: 0, total: 0, weighted: 0 },
    });

    cp = await append(h.store, `lead-${l1}`, leadMoved({ leadId: l1, pipelineId, fromStageId: a, toStageId: c, lostReason: 'no budget' }));
    await caughtUp(h.db, 'stage_totals', cp);
    expect(await totals()).toMatchObject({ [a]: { count: 1, total: 0, weighted: 0 }, [c]: { count: 1, total: 2000, weighted: 1800 } });
  });
});
