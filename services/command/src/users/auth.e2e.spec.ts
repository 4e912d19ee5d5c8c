import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommandHarness, type CommandHarness, type TestUser } from '../testing/app.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('sign-in, sessions and throttling over HTTP', () => {
  let h: CommandHarness;
  let manager: TestUser;
  beforeAll(async () => {
    h = await startCommandHarness();
    manager = await h.createUser('manager');
  });
  afterAll(() => h?.close());

  const writeLead = (headers: Record<string, string>) => h.app.inject({ method: 'POST', url: '/api/leads', payload: { company: 'Session Co' }, headers });

  it('signs in with a token and an httpOnly session cookie that works on writes', async () => {
    const res = await h.login(h.admin.email, h.admin.password, '10.0.0.1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ token: expect.any(String), user: { id: h.admin.id, email: h.admin.email, name: 'Administrator', role: 'admin', teamId: null }, mustChangePassword: false });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^leadline_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=43200/);
    expect(setCookie).not.toMatch(/Secure/);
    const cookie = setCookie.split(';')[0];
    expect((await writeLead({ cookie })).statusCode).toBe(201);
  });

  it('keeps only a hash of the session token, with where and when it was opened', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: manager.email, password: manager.password }, remoteAddress: '10.0.0.7', headers: { 'user-agent': 'Spec Browser/1.0' } });
    const token = res.json<{ token: string }>().token;
    const { rows } = await h.db.pool.query(`SELECT encode(token_hash, 'hex') AS hash, user_agent, ip, expires_at - created_at AS ttl FROM cmd.sessions WHERE user_id = $1 AND ip = '10.0.0.7'`, [manager.id]);
    expect(rows).toEqual([{ hash: expect.stringMatching(/^[0-9a-f]{64}$/), user_agent: 'Spec Browser/1.0', ip: '10.0.0.7', ttl: { hours: 12 } }]);
    const all = await h.db.pool.query(`SELECT * FROM cmd.sessions`);
    expect(JSON.stringify(all.rows)).not.toContain(token.split('.')[0]);
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const unknown = await h.login('nobody@example.com', 'whatever-password', '10.0.0.2');
    const wrong = await h.login(h.admin.email, 'wrong-password', '10.0.0.2');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().detail).toBe(wrong.json().detail);
  });

  it('ends the session at logout: the token no longer works, and the cookie is cleared', async () => {
    const token = (await h.login(manager.email, manager.password, '10.0.0.3')).json<{ token: string }>().token;
    expect((await writeLead(bearer(token))).statusCode).toBe(201);
    const out = await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/leadline_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/);
    const after = await writeLead(bearer(token));
    expect(after.statusCode).toBe(401);
    expect(after.headers['content-type']).toContain('application/problem+json');
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
  });

  it('ends one session by id, and every other session with "sign out everywhere else"', async () => {
    const sessionsOf = async (userId: string) => (await h.db.pool.query<{ id: string }>('SELECT id FROM cmd.sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at', [userId])).rows.map((r) => r.id);
    const rep = await h.createUser('rep');
    const phone = (await h.login(rep.email, rep.password, '10.0.1.1')).json<{ token: string }>().token;
    const laptop = (await h.login(rep.email, rep.password, '10.0.1.2')).json<{ token: string }>().token;
    const [first, second, third] = await sessionsOf(rep.id);
    expect(third).toBeDefined();

    const foreign = await h.app.inject({ method: 'DELETE', url: `/api/auth/sessions/${first}`, headers: bearer(manager.token) });
    expect(foreign.statusCode).toBe(404);
    const own = await h.app.inject({ method: 'DELETE', url: `/api/auth/sessions/${first}`, headers: bearer(laptop) });
    expect(own.statusCode).toBe(204);
    expect((await writeLead(bearer(rep.token))).statusCode).toBe(401);

    const others = await h.app.inject({ method: 'POST', url: '/api/auth/sessions/revoke-others', headers: bearer(laptop) });
    expect(others.json()).toEqual({ revoked: 1 });
    expect(await sessionsOf(rep.id)).toEqual([third]);
    expect((await writeLead(bearer(phone))).statusCode).toBe(401);
    expect((await writeLead(bearer(laptop))).statusCode).toBe(201);
    expect(second).not.toBe(third);

    const bad = await h.app.inject({ method: 'DELETE', url: '/api/auth/sessions/not-a-uuid', headers: bearer(laptop) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['params.id']);
  });

  it('lets an admin end every session of a user, and nobody else', async () => {
    const rep = await h.createUser('rep');
    expect((await h.app.inject({ method: 'POST', url: `/api/users/${rep.id}/sessions/revoke`, headers: bearer(manager.token) })).statusCode).toBe(403);
    const res = await h.app.inject({ method: 'POST', url: `/api/users/${rep.id}/sessions/revoke`, headers: bearer(h.admin.token) });
    expect(res.json()).toEqual({ revoked: 1 });
    expect((await writeLead(bearer(rep.token))).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: `/api/users/${crypto.randomUUID()}/sessions/revoke`, headers: bearer(h.admin.token) })).statusCode).toBe(404);
  });

  it('records sign-ins, failures, lockouts and sign-outs in the audit trail', async () => {
    const rep = await h.createUser('rep');
    for (let i = 0; i < 5; i++) await h.login(rep.email, 'wrong-password', '10.55.0.1');
    const token = (await h.login(rep.email, rep.password, '10.55.0.2')).json<{ token: string }>().token;
    await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) });
    type Audit = { kind: string; subject: { id: string }; actor: { userId: string } | null; ip: string };
    // The log shows an append once no older transaction in the cluster is still open: wait for the last one.
    let mine: Audit[] = [];
    for (const until = Date.now() + 10_000; Date.now() < until && mine.at(-1)?.kind !== 'logout'; await new Promise((r) => setTimeout(r, 50))) {
      const audit = (await h.eventStore.readAll({ types: ['AuditRecorded'], limit: 10_000 })).map((e) => e.data as Audit);
      mine = audit.filter((a) => a.subject.id === rep.email || a.actor?.userId === rep.id);
    }
    expect(mine.map((a) => a.kind)).toEqual(['login_succeeded', ...Array(5).fill('login_failed'), 'login_locked', 'login_succeeded', 'logout']);
    expect(mine.find((a) => a.kind === 'login_locked')).toMatchObject({ ip: '10.55.0.1', actor: null });
    expect(JSON.stringify(mine)).not.toMatch(/wrong-password|pw-rep/);
  });

  describe('throttling', () => {
    it("slows an attacker's address without locking the owner out from another", async () => {
      const victim = await h.createUser('rep');
      for (let i = 0; i < 5; i++) expect((await h.login(victim.email, 'wrong-password', '10.66.0.1')).statusCode).toBe(401);
      const slowed = await h.login(victim.email, victim.password, '10.66.0.1');
      expect(slowed.statusCode).toBe(429);
      expect(slowed.json().type).toBe('https://leadline.dev/problems/rate-limited');
      expect(Number(slowed.headers['retry-after'])).toBe(2);
      const owner = await h.login(victim.email, victim.password, '10.77.0.1');
      expect(owner.statusCode).toBe(200);

      await new Promise((r) => setTimeout(r, 2_100));
      expect((await h.login(victim.email, 'wrong-again', '10.66.0.1')).statusCode).toBe(401);
      expect(Number((await h.login(victim.email, victim.password, '10.66.0.1')).headers['retry-after'])).toBe(4);
      const { rows } = await h.db.pool.query('SELECT failures FROM cmd.login_failures WHERE email = $1 AND address = $2', [victim.email, '10.66.0.1']);
      expect(rows).toEqual([{ failures: 6 }]);
    });

    it('lets concurrent guesses through no faster than one at a time', async () => {
      const victim = await h.createUser('rep');
      const answers = await Promise.all(Array.from({ length: 12 }, () => h.login(victim.email, 'wrong-password', '10.88.0.1')));
      expect(answers.map((a) => a.statusCode).sort()).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
    });

    it('limits failures per address across accounts to 30 in 15 minutes, successes not counted', async () => {
      for (let i = 0; i < 3; i++) expect((await h.login(manager.email, manager.password, '10.2.0.1')).statusCode).toBe(200);
      for (let i = 0; i < 30; i++) await h.login(`someone${i}@example.com`, 'wrong-password', '10.2.0.1');
      const blocked = await h.login(h.admin.email, h.admin.password, '10.2.0.1');
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
      expect((await h.login(h.admin.email, h.admin.password, '10.2.0.2')).statusCode).toBe(200);
    });
  });
});
