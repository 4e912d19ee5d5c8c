import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@leadline/platform';
import type { EventStore } from '@leadline/eventstore';
import { projections } from '../projections/index.ts';
import { projectorConnections, startProjector } from './projector.ts';

describe('the projector pool size', () => {
  it('refuses to start on a pool smaller than its dedicated connections, before touching the database', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: projectorConnections(projections.length) - 1 });
    const eventStore = {} as EventStore; // never reached
    await expect(startProjector({ pool, eventStore, logger: createLogger('test', 'silent') })).rejects.toThrow(
      `the projector needs a pool of at least ${projectorConnections(projections.length)} connections (${projections.length} projections and the routing manager)`,
    );
    await pool.end();
  });
});
