import type { StoredEvent } from '@leadline/eventstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateProjector } from '../../engine/projector.ts';
import { expectAnyBatchingGivesSameRows, projectInBatches } from '../../test-support/equivalence.ts';
import { projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { pipelineBatchHistory } from '../pipeline_history/batchHistory.ts';
import { instant } from './fold.ts';
import { conversionProjection } from './projection.ts';

describe('conversion in batches', () => {
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
    const one = await expectAnyBatchingGivesSameRows(h.db.pool, conversionProjection, events);
    expect(one.every((t) => t.rows.length > 0)).toBe(true);
  });

  it('reads an instant as PostgreSQL keeps it: epoch milliseconds and reach text', async () => {
    const samples = ['2026-05-01T09:00:00Z', '2026-05-01T09:00:00.5+02:00', '2026-06-01T14:00:00.000123+02:00', '2026-06-02T00:00:00.999999Z', '2026-06-02T00:00:00.1234567Z'];
    const { rows } = await h.db.pool.query<{ ms: number; iso: string }>(
      `SELECT (date_part('epoch', t::timestamptz) * 1000)::float8 AS ms, to_char(t::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS iso FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n`,
      [samples],
    );
    expect(samples.map(instant)).toEqual(rows);
  });
});
