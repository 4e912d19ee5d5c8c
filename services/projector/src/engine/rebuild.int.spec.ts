import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projections } from '../projections/index.ts';
import { usersProjection } from '../projections/users/projection.ts';
import { append, userCreated } from '../test-support/events.ts';
import { caughtUp, projectionState, projectorHarness, waitFor, type ProjectorHarness } from '../test-support/harness.ts';
import { seedHistory } from '../test-support/seed.ts';
import { startProjector, type Projector } from './projector.ts';

const core = projections.filter((p) => ['users', 'stages', 'lead_cards', 'stage_totals'].includes(p.name));
import { rebuild, type RebuildProgress } from './rebuild.ts';
import { verify } from './verify.ts';

const ALL_ROWS: Record<string, string> = {
  users: 'SELECT * FROM read.users ORDER BY id',
  pipelines: 'SELECT * FROM read.pipelines ORDER BY id',
  stages: 'SELECT * FROM read.stages ORDER BY id',
  leads: 'SELECT * FROM read.leads ORDER BY id',
  stage_totals: 'SELECT * FROM read.stage_totals ORDER BY stage_id',
};

describe('rebuild', () => {
  let h: ProjectorHarness;
  const started: Projector[] = [];
  const start = async (overrides: Partial<ProjectorHarness['deps']> = {}) => {
    const p = await startProjector({ ...h.deps, projections: core, routing: false, ...overrides });
    started.push(p);
    return p;
  };
  const snapshot = async () => Object.fromEntries(await Promise.all(Object.entries(ALL_ROWS).map(async ([k, sql]) => [k, (await h.db.pool.query(sql)).rows])));
  const tables = async () =>
    (await h.db.pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'read' ORDER BY tablename`)).rows.map((r) => r.tablename);
  const viewSource = async (view: string) =>
    (await h.db.pool.query(`SELECT table_name FROM information_schema.view_table_usage WHERE view_schema = 'read' AND view_name = $1`, [view])).rows.map((r) => r.table_name);

  beforeEach(async () => {
    h = await projectorHarness({ batchSize: 7 });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
    await h.dispose();
  });

  it('builds the next generation while the live one keeps serving, then swaps views with identical rows', async () => {
    await start();
    const seeded = await seedHistory(h.store, 20);
    for (const p of core) await caughtUp(h.db, p.name, seeded.checkpoint);
    const before = await snapshot();
    expect(before.leads).toHaveLength(20);

    const progress: RebuildProgress[] = [];
    const rebuilding = rebuild(h.deps, 'lead_cards', { pollMs: 20, onProgress: (p) => progress.push(p) });
    // Live traffic during the rebuild keeps flowing into generation 1.
    const userId = crypto.randomUUID();
    const during = await append(h.store, `user-${userId}`, userCreated({ userId, email: 'during@example.com', name: 'During' }));
    const more = await seedHistory(h.store, 3);
    const result = await rebuilding;
    expect(result).toMatchObject({ projection: 'lead_cards', generation: 2 });
    await caughtUp(h.db, 'lead_cards', more.checkpoint);
    await caughtUp(h.db, 'users', during);

    expect(await projectionState(h.db, 'lead_cards')).toMatchObject({ generation: 2, status: 'running' });
    expect(await viewSource('leads')).toEqual(['leads__g2']);
    // The old generation is dropped as soon as no reader holds it (a lock timeout defers it to a later idle moment).
    await waitFor(async () => !(await tables()).includes('leads__g1'), 'old generation dropped');
    expect(await tables()).toContain('users__g1');
    const after = await snapshot();
    expect(after.leads.filter((l: { id: string }) => before.leads.some((b: { id: string }) => b.id === l.id))).toEqual(before.leads);
    expect(after.leads).toHaveLength(23);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.builtBy === 'active projector' && p.generation === 2)).toBe(true);
    expect(await verify(h.deps)).toEqual([]);
  });

  it('rebuilds in this process when no projector is running, and again into the next generation', async () => {
    const projector = await start();
    const seeded = await seedHistory(h.store, 8);
    for (const p of core) await caughtUp(h.db, p.name, seeded.checkpoint);
    await projector.stop();
    const before = await snapshot();

    expect(await rebuild(h.deps, 'stage_totals', { pollMs: 20 })).toMatchObject({ generation: 2, checkpoint: seeded.checkpoint });
    expect(await rebuild(h.deps, 'stage_totals', { pollMs: 20 })).toMatchObject({ generation: 3, checkpoint: seeded.checkpoint });
    expect(await viewSource('stage_totals')).toEqual(['stage_totals__g3']);
    expect((await tables()).filter((t) => t.startsWith('stage_totals'))).toEqual(['stage_totals__g3', 'stage_totals_leads__g3', 'stage_totals_stages__g3']);
    expect(await snapshot()).toEqual(before);
    await expect(rebuild(h.deps, 'nope')).rejects.toThrow(/Unknown projection "nope"/);
  });

  it('rebuilds automatically at start when a projection version changed', async () => {
    const first = await start({ projections: [usersProjection] });
    const seeded = await seedHistory(h.store, 2);
    await caughtUp(h.db, 'users', seeded.checkpoint);
    const before = (await h.db.pool.query(ALL_ROWS.users)).rows;
    expect(before).toHaveLength(2);
    await first.stop();

    const next = usersProjection.version + 1;
    await start({ projections: [{ ...usersProjection, version: next }] });
    await waitFor(async () => {
      const { rows } = await h.db.pool.query(`SELECT version, generation, status FROM projector.projections WHERE name = 'users'`);
      return rows[0].version === next && rows[0].generation === 2 && rows[0].status === 'running';
    }, 'users next version live');
    expect(await viewSource('users')).toEqual(['users__g2']);
    expect((await h.db.pool.query(ALL_ROWS.users)).rows).toEqual(before);
  });
});
