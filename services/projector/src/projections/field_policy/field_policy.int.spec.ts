import { FIELD_POLICY_STREAM } from '@leadline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { append, newEvent } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { fieldPolicyProjection } from './projection.ts';

describe('field_policy projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  beforeAll(async () => {
    h = await projectorHarness({ projections: [fieldPolicyProjection] });
    projector = await startProjector(h.deps);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('keeps the latest rule set with its stream version', async () => {
    const first = { rules: [{ role: 'rep' as const, leads: 'all' as const, teamId: null, field: 'email' as const, access: 'hidden' as const }], customFields: [] };
    const second = { rules: [], customFields: [{ key: 'tier', label: 'Tier' }] };
    await append(h.store, FIELD_POLICY_STREAM, newEvent('FieldPolicyChanged', first));
    const cp = await append(h.store, FIELD_POLICY_STREAM, newEvent('FieldPolicyChanged', second));
    await caughtUp(h.db, 'field_policy', cp);
    const { rows } = await h.db.pool.query('SELECT id, rules, custom_fields, version, updated_by FROM read.field_policy');
    expect(rows).toEqual([{ id: 'default', rules: [], custom_fields: [{ key: 'tier', label: 'Tier' }], version: 2, updated_by: 'test' }]);
  });
});
