import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projections } from '../projections/index.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../test-support/harness.ts';
import { seedHistory, type Seeded } from '../test-support/seed.ts';
import { startProjector, type Projector } from './projector.ts';
import { verify, type VerifyProgress } from './verify.ts';

describe('verify', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  let seeded: Seeded;
  beforeAll(async () => {
    h = await projectorHarness({ batchSize: 5 });
    projector = await startProjector(h.deps);
    seeded = await seedHistory(h.store, 15);
    for (const p of projections) await caughtUp(h.db, p.name, seeded.checkpoint);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('finds no difference between the live tables and a rebuild up to the live checkpoint', async () => {
    const progress: VerifyProgress[] = [];
    expect(await verify(h.deps, { onProgress: (p) => progress.push(p) })).toEqual([]);
    const compared = progress.filter((p) => p.phase === 'compared');
    expect(compared.map((p) => p.projection)).toEqual(projections.map((p) => p.name));
    expect(compared.reduce((n, p) => n + (p.phase === 'compared' ? p.tables : 0), 0)).toBe(projections.reduce((n, p) => n + p.tables.length, 0));
    const scratch = await h.db.pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'read' AND tablename LIKE '%__verify'`);
    expect(scratch.rows).toEqual([]);
  });

  it('reports a tampered live row both ways, naming the table', async () => {
    const leadId = seeded.leadIds[3];
    const original = (await h.db.pool.query('SELECT * FROM read.leads WHERE id = $1', [leadId])).rows[0];
    await h.db.pool.query(`UPDATE read.leads__g1 SET company = 'Tampered Ltd' WHERE id = $1`, [leadId]);
    await h.db.pool.query(`DELETE FROM read.stage_totals__g1 WHERE stage_id = $1`, [seeded.stageIds[3]]);
    try {
      const differences = await verify(h.deps);
      expect(differences).toHaveLength(2);
      const leads = differences.find((d) => d.table === 'leads');
      expect(leads).toMatchObject({ projection: 'lead_cards', missing: [{ id: leadId, company: original.company }], extra: [{ id: leadId, company: 'Tampered Ltd' }] });
      const totals = differences.find((d) => d.table === 'stage_totals');
      expect(totals).toMatchObject({ projection: 'stage_totals', missing: [{ stage_id: seeded.stageIds[3] }], extra: [] });
    } finally {
      await h.db.pool.query(`UPDATE read.leads__g1 SET company = $2 WHERE id = $1`, [leadId, original.company]);
    }
  });
});
