import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { append, userCreated } from '../../test-support/events.ts';
import { caughtUp, projectorHarness, type ProjectorHarness } from '../../test-support/harness.ts';
import { usersProjection } from './projection.ts';

describe('users projection', () => {
  let h: ProjectorHarness;
  let projector: Projector;
  beforeAll(async () => {
    h = await projectorHarness({ projections: [usersProjection] });
    projector = await startProjector(h.deps);
  });
  afterAll(async () => {
    await projector?.stop();
    await h?.dispose();
  });

  it('writes one row per UserCreated, without the password hash', async () => {
    const ada = crypto.randomUUID();
    const bob = crypto.randomUUID();
    const first = userCreated({ userId: ada, email: 'ada@example.com', name: 'Ada', role: 'manager' });
    await append(h.store, `user-${ada}`, first);
    const cp = await append(h.store, `user-${bob}`, userCreated({ userId: bob, email: 'bob@example.com', name: 'Bob' }));
    await caughtUp(h.db, 'users', cp);

    const { rows } = await h.db.pool.query('SELECT * FROM read.users ORDER BY name');
    expect(rows).toEqual([
      { id: ada, email: 'ada@example.com', name: 'Ada', role: 'manager', created_at: new Date((first.metadata as { occurredAt: string }).occurredAt) },
      { id: bob, email: 'bob@example.com', name: 'Bob', role: 'rep', created_at: expect.any(Date) },
    ]);
    const columns = await h.db.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'read' AND table_name = 'users'`);
    expect(columns.rows.map((c) => c.column_name).sort()).toEqual(['created_at', 'email', 'id', 'name', 'role']);
  });

  it('skips events of other types but still advances its checkpoint past them', async () => {
    const cp = await append(h.store, `other-${crypto.randomUUID()}`, { eventId: crypto.randomUUID(), type: 'SomethingElse', data: {}, metadata: {} });
    const state = await caughtUp(h.db, 'users', cp);
    expect(state).toMatchObject({ status: 'running', checkpoint: cp });
  });
});
