import { liveCloseCodes, type CommandAccepted, type SessionDto } from '@leadline/contracts';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/stack.ts';

type Socket = { ws: WebSocket; messages: { type: string }[]; closed: Promise<{ code: number; at: number }> };

/**
 * Sessions end to end: command service, query service and live socket on one server, one database.
 * What a session's end or an account change does must show on the very next HTTP request and close
 * the live socket within a second.
 */
describe('sessions you can revoke, end to end', () => {
  let s: TestStack;
  let admin: string;
  const password = 'a-long-rep-password';

  beforeAll(async () => {
    // The test client plays the trusted proxy, so it can say which address each sign-in comes from.
    s = await startTestStack({ trustedProxies: ['127.0.0.1'] });
    admin = await s.login('admin@test.local', s.adminPassword);
  });
  afterAll(async () => {
    await s?.close();
  });

  let n = 0;
  const newRep = async () => {
    const email = `rep${++n}.${Date.now()}@test.local`;
    const created = await s.api<CommandAccepted>('POST', '/api/users', admin, { email, name: `Rep ${n}`, role: 'rep', password });
    expect(created.status).toBe(201);
    return { id: created.body.id, email, token: await s.login(email, password) };
  };
  const signIn = (email: string, pw: string, from: string) =>
    fetch(`${s.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ email, password: pw }) });

  const live = async (token: string): Promise<Socket> => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/api/live`, { headers: { authorization: `Bearer ${token}` } });
    const messages: { type: string }[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
    const closed = new Promise<{ code: number; at: number }>((resolve) => ws.on('close', (code) => resolve({ code, at: Date.now() })));
    for (const until = Date.now() + 5_000; !messages.some((m) => m.type === 'ready'); await new Promise((r) => setTimeout(r, 20)))
      if (Date.now() > until) throw new Error('no ready message');
    ws.send(JSON.stringify({ type: 'subscribe', channels: ['board'] }));
    return { ws, messages, closed };
  };
  const closedWithin = async (socket: Socket, ms: number) => {
    const started = Date.now();
    const result = await Promise.race([socket.closed, new Promise<null>((r) => setTimeout(() => r(null), ms + 2_000))]);
    expect(result, 'the socket should have been closed').not.toBeNull();
    expect(result!.at - started).toBeLessThan(ms);
    return result!.code;
  };

  it('after logout the token fails for HTTP and for the live socket, and the open socket closes', async () => {
    const rep = await newRep();
    const socket = await live(rep.token);
    expect((await s.api('GET', '/api/auth/me', rep.token)).status).toBe(200);
    expect((await s.api('POST', '/api/auth/logout', rep.token)).status).toBe(204);
    expect(await closedWithin(socket, 1_000)).toBe(liveCloseCodes.sessionEnded);
    const me = await s.api<{ type: string }>('GET', '/api/auth/me', rep.token);
    expect(me.status).toBe(401);
    expect(me.headers.get('content-type')).toContain('application/problem+json');
    expect((await s.api('POST', '/api/leads', rep.token, { company: 'After logout' })).status).toBe(401);
    const again = new WebSocket(`${s.url.replace('http', 'ws')}/api/live?token=${rep.token}`);
    expect(await new Promise((resolve) => again.on('close', resolve))).toBe(liveCloseCodes.sessionEnded);
  });

  it('a role change applies to the next request and closes the socket, which reconnects with the new role', async () => {
    const rep = await newRep();
    const socket = await live(rep.token);
    expect((await s.api('POST', '/api/leads', rep.token, { company: 'Before' })).status).toBe(201);
    const changed = await s.api('PUT', `/api/users/${rep.id}`, admin, { name: 'Now an analyst', role: 'analyst', teamId: null });
    expect(changed.status).toBe(200);
    expect((await s.api('POST', '/api/leads', rep.token, { company: 'After' })).status).toBe(403);
    expect((await s.api<{ role: string; name: string }>('GET', '/api/auth/me', rep.token)).body).toMatchObject({ role: 'analyst', name: 'Now an analyst' });
    expect(await closedWithin(socket, 1_000)).toBe(liveCloseCodes.accountChanged);
    const reconnected = await live(rep.token);
    expect(reconnected.messages[0]).toMatchObject({ type: 'ready', userId: rep.id });
    reconnected.ws.close();
  });

  it('a disabled user cannot sign in or use an old token, and their socket closes', async () => {
    const rep = await newRep();
    const socket = await live(rep.token);
    expect((await s.api('POST', `/api/users/${rep.id}/disable`, admin)).status).toBe(200);
    expect(await closedWithin(socket, 1_000)).toBe(liveCloseCodes.sessionEnded);
    expect((await s.api('GET', '/api/leads', rep.token)).status).toBe(401);
    expect((await signIn(rep.email, password, '203.0.113.9')).status).toBe(401);
  });

  it('a password change ends the other sessions (and their sockets) but not this one', async () => {
    const rep = await newRep();
    const other = await s.login(rep.email, password);
    const otherSocket = await live(other);
    const thisSocket = await live(rep.token);
    const sessions = await s.api<SessionDto[]>('GET', '/api/auth/sessions', rep.token);
    expect(sessions.body.map((x) => x.current).sort()).toEqual([false, true]);
    const changed = await s.api('POST', '/api/auth/password', rep.token, { currentPassword: password, newPassword: 'a-newer-rep-password' });
    expect(changed.status).toBe(200);
    expect(await closedWithin(otherSocket, 1_000)).toBe(liveCloseCodes.sessionEnded);
    expect((await s.api('GET', '/api/auth/me', other)).status).toBe(401);
    expect((await s.api('GET', '/api/auth/me', rep.token)).status).toBe(200);
    expect(thisSocket.ws.readyState).toBe(WebSocket.OPEN);
    expect((await s.api<SessionDto[]>('GET', '/api/auth/sessions', rep.token)).body).toEqual([expect.objectContaining({ current: true })]);
    thisSocket.ws.close();
  });

  it("an attacker's failures from address A do not stop the owner signing in from address B", async () => {
    const rep = await newRep();
    for (let i = 0; i < 6; i++) await signIn(rep.email, 'guess-number-' + i, '198.51.100.7');
    const attacker = await signIn(rep.email, password, '198.51.100.7');
    expect(attacker.status).toBe(429);
    expect(Number(attacker.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signIn(rep.email, password, '203.0.113.20')).status).toBe(200);
  });
});
