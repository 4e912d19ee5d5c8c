import crypto from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../migrate.ts';
import { saveAccount, type Account } from './accounts.ts';
import { sessionTtlHours } from './config.ts';
import { sessionMigrations } from './migrations.ts';
import { endSession, endUserSessions, SessionStore } from './store.ts';

const SECRET = 'store-test-secret-0123456789abcdef0123';

describe('SessionStore against PostgreSQL', () => {
  let db: TestDatabase;
  let store: SessionStore;
  const account = (over: Partial<Account> = {}): Account => ({ userId: crypto.randomUUID(), email: 'a@example.com', name: 'Ada', role: 'rep', teamId: null, disabled: false, version: 1, ...over });

  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.pool, 'sessions', sessionMigrations);
    await runMigrations(db.pool, 'sessions', sessionMigrations);
    store = new SessionStore(db.pool, SECRET);
  });
  afterAll(() => db?.drop());

  it('answers the account as it is now, and nothing for a forged, tampered or other-secret token', async () => {
    const a = account();
    await saveAccount(db.pool, a);
    const { token, sessionId } = await store.issue({ userId: a.userId, ttlSeconds: 60, userAgent: 'x'.repeat(2000), ip: '10.0.0.1' });
    expect((await store.authenticate(token))?.principal).toEqual({ userId: a.userId, role: 'rep', name: 'Ada', email: 'a@example.com', teamId: null, sessionId });
    await saveAccount(db.pool, { ...a, role: 'manager', name: 'Ada L.', version: 2 });
    expect((await store.authenticate(token))?.principal).toMatchObject({ role: 'manager', name: 'Ada L.' });

    const [id, mac] = token.split('.');
    expect(await store.authenticate(`${id}.${mac.slice(0, -2)}AA`)).toBeNull();
    expect(await store.authenticate(`${id.slice(0, -1)}A.${mac}`)).toBeNull();
    expect(await store.authenticate('garbage')).toBeNull();
    expect(await new SessionStore(db.pool, 'another-secret-0123456789abcdef012345').authenticate(token)).toBeNull();
    const { rows } = await db.pool.query('SELECT length(user_agent) AS ua FROM cmd.sessions WHERE id = $1', [sessionId]);
    expect(rows[0].ua).toBe(512);
  });

  it('never goes back to an older account version', async () => {
    const a = account();
    expect((await saveAccount(db.pool, { ...a, version: 3 })).written).toBe(true);
    const stale = await saveAccount(db.pool, { ...a, role: 'admin', version: 2 });
    expect(stale).toMatchObject({ written: false, previous: { role: 'rep', version: 3 } });
  });

  it('refuses revoked, expired and disabled sessions; ending all keeps the one asked for', async () => {
    const a = account();
    await saveAccount(db.pool, a);
    const one = await store.issue({ userId: a.userId, ttlSeconds: 60 });
    const two = await store.issue({ userId: a.userId, ttlSeconds: 60 });
    const three = await store.issue({ userId: a.userId, ttlSeconds: 60 });
    expect(await endSession(db.pool, crypto.randomUUID(), one.sessionId, 'not theirs')).toBe(false);
    expect(await endSession(db.pool, a.userId, one.sessionId, 'test')).toBe(true);
    expect(await store.authenticate(one.token)).toBeNull();
    expect(await endUserSessions(db.pool, a.userId, { except: three.sessionId, reason: 'test' })).toBe(1);
    expect(await store.authenticate(two.token)).toBeNull();
    expect(await store.authenticate(three.token)).not.toBeNull();
    expect((await store.list(a.userId)).map((s) => s.id)).toEqual([three.sessionId]);

    await saveAccount(db.pool, { ...a, disabled: true, version: 2 });
    expect(await store.authenticate(three.token)).toBeNull();
    await saveAccount(db.pool, { ...a, disabled: false, version: 3 });
    expect(await store.authenticate(three.token)).not.toBeNull();

    const short = await store.issue({ userId: a.userId, ttlSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await store.authenticate(short.token)).toBeNull();
  });

  it('looks a request up once however often it is asked', async () => {
    const a = account();
    await saveAccount(db.pool, a);
    const { token } = await store.issue({ userId: a.userId, ttlSeconds: 60 });
    const request = { headers: { cookie: `other=1; leadline_session=${encodeURIComponent(token)}` } };
    const [x, y] = await Promise.all([store.principalOf(request), store.principalOf(request)]);
    expect(x).toEqual(y);
    expect(x?.userId).toBe(a.userId);
    expect(await store.sessionOf(request, { cookie: false })).toBeNull();
    expect((await store.principalOf({ headers: { authorization: 'Basic abc', cookie: `leadline_session=${token}` } }))?.userId).toBe(a.userId);
    expect(await store.principalOf({ headers: { authorization: 'Bearer nonsense', cookie: `leadline_session=${token}` } })).toBeNull();
  });

  it('reads SESSION_TTL_HOURS: 12 by default, 1 to 720', () => {
    expect(sessionTtlHours.parse(undefined)).toBe(12);
    expect(sessionTtlHours.parse('')).toBe(12);
    expect(sessionTtlHours.parse('24')).toBe(24);
    expect(sessionTtlHours.safeParse('0').success).toBe(false);
    expect(sessionTtlHours.safeParse('1000').success).toBe(false);
  });
});
