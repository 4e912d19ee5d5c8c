import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommandHarness, type CommandHarness, type TestUser } from '../testing/app.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe('users: profile, role, disable, passwords', () => {
  let h: CommandHarness;
  let manager: TestUser;
  beforeAll(async () => {
    h = await startCommandHarness();
    manager = await h.createUser('manager');
  });
  afterAll(() => h?.close());

  const put = (token: string, id: string, body: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'PUT', url: `/api/users/${id}`, payload: body, headers: { ...bearer(token), ...headers } });
  const post = (token: string, url: string, body?: object) => h.app.inject({ method: 'POST', url, ...(body ? { payload: body } : {}), headers: bearer(token) });
  const writeLead = (token: string) => post(token, '/api/leads', { company: 'Users Co' });
  const eventTypes = async (id: string) => (await h.eventStore.readStream(`user-${id}`)).map((e) => e.type);

  it('creates users (admin only), emails unique ignoring case, the hash kept out of the event', async () => {
    const rep = await h.createUser('rep', 'Rita Rep');
    const login = await h.login(rep.email, rep.password, '10.0.0.3');
    expect(login.json().user).toEqual({ id: rep.id, email: rep.email, name: 'Rita Rep', role: 'rep', teamId: null });
    const duplicate = await post(h.admin.token, '/api/users', { email: rep.email.toUpperCase(), name: 'Other', role: 'rep', password: 'another-long-password' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().detail).toBe('email already in use');
    expect((await post(manager.token, '/api/users', { email: 'm@example.com', name: 'M', role: 'rep', password: 'another-long-password' })).statusCode).toBe(403);
    const short = await post(h.admin.token, '/api/users', { email: 'short@example.com', name: 'S', role: 'rep', password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(fields(short.json())).toEqual(['body.password']);

    const events = await h.eventStore.readStream(`user-${rep.id}`);
    expect(events.map((e) => e.type)).toEqual(['UserCreated']);
    expect(events[0].data).toEqual({ userId: rep.id, email: rep.email, name: 'Rita Rep', role: 'rep' });
    const { rows } = await h.db.pool.query('SELECT password_hash FROM cmd.credentials WHERE user_id = $1', [rep.id]);
    expect(rows[0].password_hash).toMatch(/^\$argon2/);
  });

  it('lets any role change their own name and time zone, refusing an unknown zone field by field with nothing written', async () => {
    const analyst = await h.createUser('analyst', 'Ana Lyst');
    const profile = (token: string, body: object) => h.app.inject({ method: 'PUT', url: '/api/auth/profile', payload: body, headers: bearer(token) });
    const res = await profile(analyst.token, { name: 'Ana Lyst-Rao', timeZone: 'Asia/Kolkata' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: analyst.id, version: 2 });
    const events = await h.eventStore.readStream(`user-${analyst.id}`);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['UserCreated', expect.anything()],
      ['UserProfileChanged', { userId: analyst.id, name: 'Ana Lyst-Rao', timeZone: 'Asia/Kolkata' }],
    ]);
    // The session reads the new name at once.
    const login = await h.login(analyst.email, analyst.password, '10.0.0.9');
    expect(login.json().user.name).toBe('Ana Lyst-Rao');

    expect((await profile(analyst.token, { name: 'Ana Lyst-Rao', timeZone: 'Asia/Kolkata' })).json()).toMatchObject({ version: 2 });
    for (const bad of [{ name: 'Ana', timeZone: 'Mars/Olympus_Mons' }, { name: 'Ana', timeZone: '' }, { name: ' ', timeZone: null }, { name: 'Ana', timeZone: 'UTC', role: 'admin' }]) {
      const refused = await profile(analyst.token, bad);
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.headers['content-type']).toContain('application/problem+json');
    }
    const zone = await profile(analyst.token, { name: 'Ana', timeZone: 'Mars/Olympus_Mons' });
    expect(zone.json().errors).toEqual([{ field: 'body.timeZone', message: 'Choose a time zone such as Europe/Paris or America/New_York' }]);
    expect((await h.eventStore.readStream(`user-${analyst.id}`)).length).toBe(2);
    expect((await h.app.inject({ method: 'PUT', url: '/api/auth/profile', payload: { name: 'X', timeZone: null } })).statusCode).toBe(401);
  });

  it('changes the role at once: the next request has the new permissions', async () => {
    const rep = await h.createUser('rep');
    expect((await writeLead(rep.token)).statusCode).toBe(201);
    const res = await put(h.admin.token, rep.id, { name: 'Read Only', role: 'analyst', teamId: null }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: rep.id, version: 3 });
    expect(await eventTypes(rep.id)).toEqual(['UserCreated', 'UserUpdated', 'RoleChanged']);
    const refused = await writeLead(rep.token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toBe('The analyst role is read-only');

    const stale = await put(h.admin.token, rep.id, { name: 'Back', role: 'rep', teamId: null }, { 'if-match': '1' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().currentVersion).toBe(3);
  });

  it('sets a home team that exists, naming body.teamId otherwise, and refuses bad input field by field', async () => {
    const rep = await h.createUser('rep');
    const team = await post(h.admin.token, '/api/teams', { name: `Team ${crypto.randomUUID().slice(0, 6)}`, memberIds: [rep.id] });
    expect(team.statusCode).toBe(201);
    expect((await put(h.admin.token, rep.id, { name: 'Rita', role: 'rep', teamId: team.json().id })).statusCode).toBe(200);
    const unknown = await put(h.admin.token, rep.id, { name: 'Rita', role: 'rep', teamId: crypto.randomUUID() });
    expect(unknown.statusCode).toBe(400);
    expect(fields(unknown.json())).toEqual(['body.teamId']);
    const bad = await put(h.admin.token, rep.id, { name: '', role: 'emperor', teamId: 'x', extra: 1 });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad.json())).toEqual(expect.arrayContaining(['body.name', 'body.role', 'body.teamId']));
    expect((await put(manager.token, rep.id, { name: 'Rita', role: 'admin', teamId: null })).statusCode).toBe(403);
    expect((await put(h.admin.token, crypto.randomUUID(), { name: 'Nobody', role: 'rep', teamId: null })).statusCode).toBe(404);
  });

  it('disables a user: their sessions end and they cannot sign in; enabling lets them sign in again', async () => {
    const rep = await h.createUser('rep');
    expect((await post(h.admin.token, `/api/users/${rep.id}/disable`)).statusCode).toBe(200);
    expect((await writeLead(rep.token)).statusCode).toBe(401);
    const login = await h.login(rep.email, rep.password, '10.3.0.1');
    expect(login.statusCode).toBe(401);
    expect(login.json().detail).toBe('This account is disabled; ask an admin');
    expect((await h.login(rep.email, 'wrong-password', '10.3.0.1')).json().detail).toBe('Wrong email or password');
    const { rows } = await h.db.pool.query(`SELECT count(*)::int AS live FROM cmd.sessions WHERE user_id = $1 AND revoked_at IS NULL`, [rep.id]);
    expect(rows[0].live).toBe(0);
    const owner = await post(h.admin.token, '/api/leads', { company: 'Owned', ownerId: rep.id });
    expect(owner.statusCode).toBe(422);
    expect(owner.json().rule).toBe('invalid-owner');

    expect((await post(h.admin.token, `/api/users/${rep.id}/enable`)).statusCode).toBe(200);
    expect((await writeLead(rep.token)).statusCode).toBe(401);
    expect((await h.login(rep.email, rep.password, '10.3.0.2')).statusCode).toBe(200);
    expect(await eventTypes(rep.id)).toEqual(['UserCreated', 'UserDisabled', 'UserEnabled']);
  });

  it('never disables yourself or leaves no enabled admin', async () => {
    const self = await post(h.admin.token, `/api/users/${h.admin.id}/disable`);
    expect(self.statusCode).toBe(422);
    expect(self.json().rule).toBe('cannot-disable-self');
    const demote = await put(h.admin.token, h.admin.id, { name: 'Administrator', role: 'manager', teamId: null });
    expect(demote.statusCode).toBe(422);
    expect(demote.json().rule).toBe('last-admin');

    const second = await h.createUser('admin');
    const [a, b] = await Promise.all([
      put(h.admin.token, second.id, { name: 'Second', role: 'manager', teamId: null }),
      put(second.token, h.admin.id, { name: 'Administrator', role: 'manager', teamId: null }),
    ]);
    // Whichever goes first, the other then finds no other admin (422 last-admin) or is no longer one itself (403).
    expect([a.statusCode, b.statusCode].filter((s) => s === 200)).toHaveLength(1);
    expect([a.statusCode, b.statusCode].every((s) => s === 200 || s === 403 || s === 422)).toBe(true);
    const { rows } = await h.db.pool.query(`SELECT count(*)::int AS n FROM cmd.accounts WHERE role = 'admin' AND NOT disabled`);
    expect(rows[0].n).toBe(1);
    // The harness's admin stays an admin for the tests that follow, whichever request won.
    if (b.statusCode === 200) expect((await put(second.token, h.admin.id, { name: 'Administrator', role: 'admin', teamId: null })).statusCode).toBe(200);
  });

  it('changes your own password: other sessions end, this one stays, the old password stops working', async () => {
    const rep = await h.createUser('auditor');
    const other = (await h.login(rep.email, rep.password, '10.4.0.1')).json<{ token: string }>().token;
    const wrong = await post(rep.token, '/api/auth/password', { currentPassword: 'not-it-at-all', newPassword: 'a-brand-new-password' });
    expect(wrong.statusCode).toBe(400);
    expect(fields(wrong.json())).toEqual(['body.currentPassword']);
    const same = await post(rep.token, '/api/auth/password', { currentPassword: rep.password, newPassword: rep.password });
    expect(fields(same.json())).toEqual(['body.newPassword']);
    const short = await post(rep.token, '/api/auth/password', { currentPassword: rep.password, newPassword: 'short' });
    expect(fields(short.json())).toEqual(['body.newPassword']);

    const ok = await post(rep.token, '/api/auth/password', { currentPassword: rep.password, newPassword: 'a-brand-new-password' });
    expect(ok.statusCode).toBe(200);
    const me = (token: string) => h.app.inject({ method: 'POST', url: '/api/auth/sessions/revoke-others', headers: bearer(token) });
    expect((await me(other)).statusCode).toBe(401);
    expect((await me(rep.token)).statusCode).toBe(200);
    expect((await h.login(rep.email, rep.password, '10.4.0.2')).statusCode).toBe(401);
    expect((await h.login(rep.email, 'a-brand-new-password', '10.4.0.2')).statusCode).toBe(200);
    expect(await eventTypes(rep.id)).toEqual(['UserCreated', 'UserPasswordChanged']);
    const stored = await h.eventStore.readStream(`user-${rep.id}`);
    expect(JSON.stringify(stored.map((e) => e.data))).not.toMatch(/argon2|brand-new/);
  });

  it('resets a password (admin): every session of the user ends and the next sign-in must change it', async () => {
    const rep = await h.createUser('rep');
    expect((await post(manager.token, `/api/users/${rep.id}/password-reset`, { temporaryPassword: 'temporary-password-1' })).statusCode).toBe(403);
    expect(fields((await post(h.admin.token, `/api/users/${rep.id}/password-reset`, { temporaryPassword: 'tmp' })).json())).toEqual(['body.temporaryPassword']);
    expect((await post(h.admin.token, `/api/users/${rep.id}/password-reset`, { temporaryPassword: 'temporary-password-1' })).statusCode).toBe(200);
    expect((await writeLead(rep.token)).statusCode).toBe(401);
    const login = await h.login(rep.email, 'temporary-password-1', '10.5.0.1');
    expect(login.json().mustChangePassword).toBe(true);
    const changed = await post(login.json().token, '/api/auth/password', { currentPassword: 'temporary-password-1', newPassword: 'my-own-password-2' });
    expect(changed.statusCode).toBe(200);
    expect((await h.login(rep.email, 'my-own-password-2', '10.5.0.1')).json().mustChangePassword).toBe(false);
  });

  it('records role changes, disables, enables, password changes and resets in the audit trail', async () => {
    const rep = await h.createUser('rep');
    await put(h.admin.token, rep.id, { name: 'Audited', role: 'manager', teamId: null });
    await post(h.admin.token, `/api/users/${rep.id}/disable`);
    await post(h.admin.token, `/api/users/${rep.id}/enable`);
    await post(h.admin.token, `/api/users/${rep.id}/password-reset`, { temporaryPassword: 'temporary-password-2' });
    const token = (await h.login(rep.email, 'temporary-password-2', '10.6.0.1')).json<{ token: string }>().token;
    await post(token, '/api/auth/password', { currentPassword: 'temporary-password-2', newPassword: 'audited-password-3' });
    type Audit = { kind: string; subject: { type: string; id: string } | null; actor: { userId: string } | null; detail: Record<string, unknown> };
    let mine: Audit[] = [];
    for (const until = Date.now() + 10_000; Date.now() < until && mine.at(-1)?.kind !== 'password_changed'; await new Promise((r) => setTimeout(r, 50)))
      mine = (await h.eventStore.readAll({ types: ['AuditRecorded'], limit: 10_000 })).map((e) => e.data as Audit).filter((a) => a.subject?.type === 'user' && a.subject.id === rep.id);
    expect(mine.map((a) => a.kind)).toEqual(['role_changed', 'user_disabled', 'user_enabled', 'password_reset', 'password_changed']);
    expect(mine[0]).toMatchObject({ actor: { userId: h.admin.id }, detail: { from: 'rep', to: 'manager' } });
    expect(mine.at(-1)).toMatchObject({ actor: { userId: rep.id } });
  });
});
