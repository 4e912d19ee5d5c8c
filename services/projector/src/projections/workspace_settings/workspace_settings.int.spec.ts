import { WORKSPACE_STREAM } from '@leadline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { append, newEvent } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { workspaceSettingsProjection } from './projection.ts';

describe('workspace_settings projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  beforeAll(async () => {
    h = await projectorHarness({ projections: [workspaceSettingsProjection] });
    projector = await startProjector(h.deps);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('keeps one row: the latest currency with its stream version, who and when', async () => {
    await append(h.store, WORKSPACE_STREAM, newEvent('WorkspaceSettingsChanged', { currency: 'EUR' }));
    const cp = await append(h.store, WORKSPACE_STREAM, newEvent('WorkspaceSettingsChanged', { currency: 'JPY' }, '2026-04-01T08:00:00.000Z'));
    await caughtUp(h.db, 'workspace_settings', cp);
    const { rows } = await h.db.pool.query('SELECT id, currency, version, updated_at, updated_by FROM read.workspace_settings');
    expect(rows).toEqual([{ id: 'default', currency: 'JPY', version: 2, updated_at: new Date('2026-04-01T08:00:00.000Z'), updated_by: 'test' }]);
  });

  it('ignores the event on any other stream', async () => {
    const cp = await append(h.store, 'workspace-other', newEvent('WorkspaceSettingsChanged', { currency: 'GBP' }));
    await caughtUp(h.db, 'workspace_settings', cp);
    const { rows } = await h.db.pool.query('SELECT currency, version FROM read.workspace_settings');
    expect(rows).toEqual([{ currency: 'JPY', version: 2 }]);
  });
});
