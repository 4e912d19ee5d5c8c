import { PostgresEventStore } from '@leadline/eventstore';
import { createLogger } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { ProjectorDeps } from '../engine/types.ts';

export type ProjectorHarness = { db: TestDatabase; store: PostgresEventStore; deps: ProjectorDeps; dispose: () => Promise<void> };

export async function projectorHarness(overrides: Partial<ProjectorDeps> = {}): Promise<ProjectorHarness> {
  const db = await createTestDatabase();
  const store = await PostgresEventStore.create(db.pool, db.url);
  const logger = createLogger('projector-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  return {
    db,
    store,
    deps: { pool: db.pool, eventStore: store, logger, heartbeatMs: 200, ...overrides },
    dispose: () => db.drop(),
  };
}

/** Polls until `probe` returns something other than undefined/false. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what = 'condition', timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type StateProbe = { checkpoint: string; status: string; generation: number; error: string | null; failed_event_id: string | null };

export async function projectionState(db: TestDatabase, name: string): Promise<StateProbe | undefined> {
  const { rows } = await db.pool.query<StateProbe>('SELECT checkpoint, status, generation, error, failed_event_id FROM projector.projections WHERE name = $1', [name]);
  return rows[0];
}

/** Waits until the projection's stored checkpoint has reached `checkpoint`. */
export function caughtUp(db: TestDatabase, name: string, checkpoint: string, timeoutMs?: number): Promise<StateProbe> {
  return waitFor(async () => {
    const state = await projectionState(db, name);
    return state && state.checkpoint >= checkpoint ? state : undefined;
  }, `${name} to reach ${checkpoint}`, timeoutMs);
}
