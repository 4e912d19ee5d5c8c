import type { StoredEvent } from '@leadline/eventstore';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projections } from '../projections/index.ts';
import { projectInBatches } from '../test-support/equivalence.ts';
import { projectorHarness, type ProjectorHarness } from '../test-support/harness.ts';
import { buildHistory, stepArbitrary } from '../test-support/history.ts';

/**
 * The engine's promise for set-based handlers: a batch of any size gives the rows that the same
 * events give one by one (the way poison isolation replays them), for every projection, over
 * generated histories (moves back and forth, won then reopened, lost, stage changes and deletes,
 * activities edited, completed and deleted, leads forgotten, several events per lead in one batch).
 */
describe('set-based batches equal an event-by-event replay', () => {
  let h: ProjectorHarness;
  let lastAppended = '';
  beforeAll(async () => {
    h = await projectorHarness();
  });
  afterAll(() => h.dispose());

  async function appendHistory(steps: Parameters<typeof buildHistory>[0]): Promise<StoredEvent[]> {
    const head = lastAppended;
    for (const { streamId, events } of buildHistory(steps)) lastAppended = (await h.store.append(streamId, events, 'any')).checkpoint;
    // The readable head may stop below a transaction another test file holds open in the cluster: wait for ours.
    for (const deadline = Date.now() + 20_000; ; ) {
      const events = await h.store.readAll({ after: head, limit: 1_000_000 });
      if (events.at(-1)?.checkpoint === lastAppended) return events;
      if (Date.now() > deadline) throw new Error('the appended history did not become readable');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('for every projection, one batch, random cuts and one by one give identical rows', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 10, maxLength: 50 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }), async (steps, cuts) => {
        const events = await appendHistory(steps);
        for (const projection of projections) {
          const oneByOne = await projectInBatches(h.db.pool, projection, events, 'eq_one', () => 1);
          const whole = await projectInBatches(h.db.pool, projection, events, 'eq_all', () => Number.MAX_SAFE_INTEGER);
          const cut = await projectInBatches(h.db.pool, projection, events, 'eq_cut', (i) => cuts[i % cuts.length]);
          expect(whole, `${projection.name}: one batch vs one by one`).toEqual(oneByOne);
          expect(cut, `${projection.name}: batches of ${cuts.join(',')} vs one by one`).toEqual(oneByOne);
        }
        runs++;
      }),
      { numRuns: 5, endOnFailure: true },
    );
    expect(runs).toBe(5);
  });

  it('the generated histories reach every kind of row (the property is not vacuous)', async () => {
    const steps = fc.sample(fc.array(stepArbitrary, { minLength: 120, maxLength: 120 }), { numRuns: 1, seed: 7 })[0];
    const events = await appendHistory(steps);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['LeadCreated', 'LeadMovedToStage', 'LeadAssigned', 'StageUpdated', 'ActivityLogged', 'ActivityCompleted', 'ActivityDeleted', 'LeadDetailsUpdated', 'LeadForgotten']) expect(types).toContain(t);
    const rows = await projectInBatches(h.db.pool, projections.find((p) => p.name === 'pipeline_history')!, events, 'eq_probe', () => 50);
    expect(rows.every((t) => t.rows.length > 0)).toBe(true);
  });
});
