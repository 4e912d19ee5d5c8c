import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommandHarness, type CommandHarness, type TestUser } from '../testing/app.ts';

describe('users and sign-in over HTTP', () => {
  let h: CommandHarness;
  let manager: TestUser;
  beforeAll(async () => {
    h = await startCommandHarness();
    manager = await h.createUser('manager');
  });
  afterAll(() => h?.close());

  it('signs in with a token and an httpOnly session cookie that works on writes', async () => {
    const res = await h.login(h.admin.email, h.admin.password, '10.0.0.1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ token: expect.any(String), user: { id: h.admin.id, email: h.admin.email, name: 'Administrator', role: 'admin' } });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^leadline_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=43200/);
    expect(setCookie).not.toMatch(/Secure/);
    const cookie = setCookie.split(';')[0];
    const write = await h.app.inject({ method: 'POST', url: '/api/leads', payload: { company: 'Cookie Co' }, headers: { cookie } });
    expect(write.statusCode).toBe(201);
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const unknown = await h.login('nobody@example.com', 'whatever-password', '10.0.0.2');
    const wrong = await h.login(h.admin.email, 'wrong-password', '10.0.0.2');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().detail).toBe(wrong.json().detail);
  });

  it('creates users (admin only), emails unique ignoring case', async () => {
    const rep = await h.createUser('rep', 'Rita Rep');
    const login = await h.login(rep.email, rep.password, '10.0.0.3');
    expect(login.json().user).toEqual({ id: rep.id, email: rep.email, name: 'Rita Rep', role: 'rep' });
    const duplicate = await h.request(h.admin.token, { method: 'POST', url: '/api/users', payload: { email: rep.email.toUpperCase(), name: 'Other', role: 'rep', password: 'another-long-password' } });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().detail).toBe('email already in use');
    const byManager = await h.request(manager.token, { method: 'POST', url: '/api/users', payload: { email: 'm@example.com', name: 'M', role: 'rep', password: 'another-long-password' } });
    expect(byManager.statusCode).toBe(403);
    const short = await h.request(h.admin.token, { method: 'POST', url: '/api/users', payload: { email: 'short@example.com', name: 'S', role: 'rep', password: 'short' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.password']);
    const events = await h.eventStore.readStream(`user-${rep.id}`);
    expect(events.map((e) => e.type)).toEqual(['UserCreated']);
    expect((events[0].data as { passwordHash: string }).passwordHash).toMatch(/^\$argon2/);
  });

  it('limits failed sign-ins per account to 10 in 15 minutes', async () => {
    const victim = await h.createUser('rep');
    for (let i = 0; i < 10; i++) expect((await h.login(victim.email, 'wrong-password', `10.1.0.${i}`)).statusCode).toBe(401);
    const blocked = await h.login(victim.email, victim.password, '10.1.0.99');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json().type).toBe('https://leadline.dev/problems/rate-limited');
    expect((await h.login(h.admin.email, h.admin.password, '10.1.0.99')).statusCode).toBe(200);
  });

  it('limits sign-in attempts per address to 30 in 15 minutes', async () => {
    for (let i = 0; i < 30; i++) await h.login(`someone${i}@example.com`, 'wrong-password', '10.2.0.1');
    const blocked = await h.login(h.admin.email, h.admin.password, '10.2.0.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
  });

  it('signs out by clearing the cookie', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/logout' });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['set-cookie'])).toMatch(/leadline_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/);
  });
});
