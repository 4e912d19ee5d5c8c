import type { StoredEvent } from '@leadline/eventstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateProjector } from '../../engine/projector.ts';
import { expectAnyBatchingGivesSameRows, projectInBatches } from '../../test-support/equivalence.ts';
import { projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { pipelineBatchHistory } from './batchHistory.ts';
import { pipelineHistoryProjection } from './projection.ts';

describe('pipeline_history in batches', () => {
  let h: ProjectorHarness;
  let events: StoredEvent[];

  beforeAll(async () => {
    h = await projectorHarness();
    await migrateProjector(h.deps);
    events = await pipelineBatchHistory(h.store);
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('makes the same rows whether the events come one by one, all at once or cut anywhere', async () => {
    const one = await expectAnyBatchingGivesSameRows(h.db.pool, pipelineHistoryProjection, events);
    expect(one.every((t) => t.rows.length > 0)).toBe(true);
  });

  it('closes each version where the next begins, within a batch as across batches', async () => {
    const [leads, stays] = await projectInBatches(h.db.pool, pipelineHistoryProjection, events, 'eq_chain', () => 5);
    for (const { rows, from, to, key } of [
      { rows: leads.rows, from: 'valid_from', to: 'valid_to', key: 'lead_id' },
      { rows: stays.rows, from: 'entered_at', to: 'left_at', key: 'lead_id' },
    ]) {
      const byKey = new Map<string, Record<string, string | number | null>[]>();
      for (const row of rows.map((r) => JSON.parse(r))) byKey.set(row[key], [...(byKey.get(row[key]) ?? []), row]);
      for (const chain of byKey.values()) {
        chain.sort((a, b) => Number(a.version) - Number(b.version));
        for (let i = 1; i < chain.length; i++) expect(chain[i - 1][to]).toBe(chain[i][from]);
        expect(chain[chain.length - 1][to]).toBeNull();
      }
    }
  });
});
