import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from '../../engine/projector.ts';
import { append, newEvent, userCreated } from '../../test-support/events.ts';
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

  it('writes one row per UserCreated, without a password hash', async () => {
    const ada = crypto.randomUUID();
    const bob = crypto.randomUUID();
    const first = userCreated({ userId: ada, email: 'ada@example.com', name: 'Ada', role: 'manager' });
    await append(h.store, `user-${ada}`, first);
    const cp = await append(h.store, `user-${bob}`, userCreated({ userId: bob, email: 'bob@example.com', name: 'Bob' }));
    await caughtUp(h.db, 'users', cp);

    const { rows } = await h.db.pool.query('SELECT * FROM read.users WHERE id = ANY($1) ORDER BY name', [[ada, bob]]);
    const at = new Date((first.metadata as { occurredAt: string }).occurredAt);
    expect(rows).toEqual([
      { id: ada, email: 'ada@example.com', name: 'Ada', role: 'manager', team_id: null, disabled: false, time_zone: null, version: 1, created_at: at, updated_at: at },
      { id: bob, email: 'bob@example.com', name: 'Bob', role: 'rep', team_id: null, disabled: false, time_zone: null, version: 1, created_at: expect.any(Date), updated_at: expect.any(Date) },
    ]);
    const columns = await h.db.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'read' AND table_name = 'users'`);
    expect(columns.rows.map((c) => c.column_name).sort()).toEqual(['created_at', 'disabled', 'email', 'id', 'name', 'role', 'team_id', 'time_zone', 'updated_at', 'version']);
  });

  it('follows name, team, role and disabled changes, and keeps the stream version', async () => {
    const id = crypto.randomUUID();
    const team = crypto.randomUUID();
    const stream = `user-${id}`;
    await append(h.store, stream, userCreated({ userId: id, email: 'cy@example.com', name: 'Cy' }));
    await append(h.store, stream, newEvent('UserUpdated', { userId: id, name: 'Cyrus', teamId: team }), newEvent('RoleChanged', { userId: id, from: 'rep', to: 'manager' }));
    const disabled = newEvent('UserDisabled', { userId: id });
    let cp = await append(h.store, stream, disabled);
    await caughtUp(h.db, 'users', cp);
    const row = async () => (await h.db.pool.query('SELECT name, role, team_id, disabled, version, updated_at FROM read.users WHERE id = $1', [id])).rows[0];
    expect(await row()).toEqual({ name: 'Cyrus', role: 'manager', team_id: team, disabled: true, version: 4, updated_at: new Date((disabled.metadata as { occurredAt: string }).occurredAt) });

    cp = await append(h.store, stream, newEvent('UserEnabled', { userId: id }), newEvent('UserPasswordChanged', { userId: id, reset: true }));
    await caughtUp(h.db, 'users', cp);
    expect(await row()).toMatchObject({ name: 'Cyrus', role: 'manager', disabled: false, version: 6 });

    // The user's own profile: name and time zone; an admin's later rename keeps the zone.
    cp = await append(h.store, stream, newEvent('UserProfileChanged', { userId: id, name: 'Cy R.', timeZone: 'Pacific/Chatham' }));
    await caughtUp(h.db, 'users', cp);
    const zone = async () => (await h.db.pool.query('SELECT name, time_zone, version FROM read.users WHERE id = $1', [id])).rows[0];
    expect(await zone()).toEqual({ name: 'Cy R.', time_zone: 'Pacific/Chatham', version: 7 });
    cp = await append(h.store, stream, newEvent('UserUpdated', { userId: id, name: 'Cyrus R.', teamId: team }));
    await caughtUp(h.db, 'users', cp);
    expect(await zone()).toEqual({ name: 'Cyrus R.', time_zone: 'Pacific/Chatham', version: 8 });
  });

  it('skips events of other types but still advances its checkpoint past them', async () => {
    const cp = await append(h.store, `other-${crypto.randomUUID()}`, { eventId: crypto.randomUUID(), type: 'SomethingElse', data: {}, metadata: {} });
    const state = await caughtUp(h.db, 'users', cp);
    expect(state).toMatchObject({ status: 'running', checkpoint: cp });
  });
});
