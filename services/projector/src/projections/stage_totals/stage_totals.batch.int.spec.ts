import crypto from 'node:crypto';
import type { StoredEvent } from '@leadline/eventstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAnyBatchingGivesSameRows, projectInBatches } from '../../test-support/equivalence.ts';
import { append, leadCreated, leadDetailsUpdated, leadMoved, newEvent, stageAdded } from '../../test-support/events.ts';
import { projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { batchHistory, readAllUpTo } from '../lead_cards/batchHistory.ts';
import { stageTotalsProjection } from './projection.ts';

const stageUpdated = (pipelineId: string, stageId: string, probability: number) =>
  newEvent('StageUpdated', { pipelineId, stageId, name: 'S', color: '#64748B', isActive: true, isWon: false, isLost: false, probability, rottingDays: null });

describe('stage_totals set-based handler', () => {
  let h: ProjectorHarness;
  let events: StoredEvent[];
  let oneByOne: Awaited<ReturnType<typeof projectInBatches>>;
  const project = (suffix: string, sizes: (i: number) => number) => projectInBatches(h.db.pool, stageTotalsProjection, events, suffix, sizes);

  beforeAll(async () => {
    h = await projectorHarness();
    await h.db.pool.query('CREATE SCHEMA IF NOT EXISTS read');
    events = await batchHistory(h.store);
    oneByOne = await project('eq_one', () => 1);
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('gives the same rows one by one, in one batch and for any cut into batches', async () => {
    expect(oneByOne.find((t) => t.table === 'stage_totals_leads')!.rows.length).toBe(30);
    await expectAnyBatchingGivesSameRows(h.db.pool, stageTotalsProjection, events);
  });

  it('re-weighs a stage in the middle of a batch: its leads at that point, then the shares after it', async () => {
    const pipelineId = crypto.randomUUID();
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    const [l1, l2, l3, l4] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await append(h.store, `pipeline-${pipelineId}`, stageAdded(pipelineId, a, { probability: 10 }), stageAdded(pipelineId, b, { probability: 50 }));
    await append(h.store, `lead-${l1}`, leadCreated({ leadId: l1, pipelineId, stageId: a, fields: { dealValue: 1000 } }));
    await append(h.store, `lead-${l2}`, leadCreated({ leadId: l2, pipelineId, stageId: a, fields: { dealValue: 123.45, probability: 37 } }));
    await append(h.store, `lead-${l3}`, leadCreated({ leadId: l3, pipelineId, stageId: b, fields: { dealValue: 0.01 } }));
    await append(h.store, `lead-${l4}`, leadCreated({ leadId: l4, pipelineId, stageId: b, fields: { dealValue: 9999999999999.99, probability: 37 } }));
    await append(h.store, `pipeline-${pipelineId}`, stageUpdated(pipelineId, a, 20));
    await append(h.store, `lead-${l1}`, leadMoved({ leadId: l1, pipelineId, fromStageId: a, toStageId: b }));
    const last = await append(h.store, `lead-${l3}`, leadMoved({ leadId: l3, pipelineId, fromStageId: b, toStageId: a }), leadDetailsUpdated(l3, { dealValue: 7.77 }));
    const all = await readAllUpTo(h.store, last);
    const mine = all.filter((e) => [pipelineId, l1, l2, l3, l4].some((x) => JSON.stringify(e.data).includes(x)));
    const [totals] = await projectInBatches(h.db.pool, stageTotalsProjection, mine, 'eq_case', () => 100000);
    expect(totals.rows.map((r) => JSON.parse(r))).toEqual(
      expect.arrayContaining([
        { stage_id: a, pipeline_id: pipelineId, lead_count: 2, total_value: 131.22, weighted_value: 45.6765 + 1.554 },
        { stage_id: b, pipeline_id: pipelineId, lead_count: 2, total_value: 10000000000999.99, weighted_value: 3700000000499.9963 },
      ]),
    );
    // Exact numerics, with the scale of the shares' sums (no value goes through a JS number).
    expect(totals.rows.find((r) => r.includes(a))).toContain('"weighted_value": 47.2305}');
    expect(totals.rows.find((r) => r.includes(b))).toContain('"total_value": 10000000000999.99, "weighted_value": 3700000000499.9963}');
  });
});
