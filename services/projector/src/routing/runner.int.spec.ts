import crypto from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateProjector } from '../engine/projector.ts';
import { Waker } from '../engine/wake.ts';
import { append, leadCreated, newEvent, readUntil } from '../test-support/events.ts';
import { projectorHarness, waitFor, type ProjectorHarness } from '../test-support/harness.ts';
import { startRoutingManager } from './runner.ts';

const PIPELINE = '00000000-0000-4000-8000-000000000001';
const STAGE = '00000000-0000-4000-8000-000000000002';

/** Counts the manager's checkpoint saves on the connections it takes from the pool. */
function countSaves(pool: pg.Pool): { saves: () => number } {
  let saves = 0;
  const counted = new WeakSet<object>();
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => Promise<pg.PoolClient>;
  // pool.query checks out with a callback: that path is left as it is (the manager saves on a checked-out client).
  (pool as unknown as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]) => (args.length > 0 ? connect(...args) : counting());
  const counting = async () => {
    const client = await connect();
    if (!counted.has(client)) {
      counted.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        if (typeof args[0] === 'string' && args[0].startsWith('UPDATE projector.process_managers SET checkpoint')) saves++;
        return query(...args);
      };
    }
    return client;
  };
  return { saves: () => saves };
}

describe('routing manager checkpoint', () => {
  let h: ProjectorHarness;
  beforeAll(async () => {
    h = await projectorHarness();
    await migrateProjector(h.deps);
  });
  afterAll(() => h.dispose());

  it('saves once per page, not once per event, over events that need no effect', async () => {
    // 1,200 events the manager only passes over: renames, and leads created with an owner.
    let last = '';
    for (let i = 0; i < 12; i++) {
      const renames = Array.from({ length: 90 }, (_, j) => newEvent('PipelineRenamed', { pipelineId: PIPELINE, name: `P${i}-${j}` }));
      await append(h.store, `pipeline-${PIPELINE}`, ...renames);
      for (let j = 0; j < 10; j++) {
        const leadId = crypto.randomUUID();
        last = await append(h.store, `lead-${leadId}`, leadCreated({ leadId, pipelineId: PIPELINE, stageId: STAGE, ownerId: crypto.randomUUID() }));
      }
    }
    // The readable head stays below the last append while a transaction elsewhere in the cluster is open.
    await readUntil(h.store, '', last);
    const head = await h.store.headCheckpoint();
    const counter = countSaves(h.db.pool);
    const manager = await startRoutingManager({ pool: h.db.pool, eventStore: h.store, logger: h.deps.logger, waker: new Waker() });
    try {
      await waitFor(async () => (manager.checkpoint() ?? '') >= head, 'the routing manager to pass the head');
      const { rows } = await h.db.pool.query<{ checkpoint: string }>(`SELECT checkpoint FROM projector.process_managers WHERE name = 'routing'`);
      expect(rows[0].checkpoint).toBe(head);
      // One page of the 120 LeadCreated events (the other types are skipped by the store): one save.
      expect(counter.saves()).toBeLessThanOrEqual(2);
    } finally {
      await manager.stop();
    }
  });
});
