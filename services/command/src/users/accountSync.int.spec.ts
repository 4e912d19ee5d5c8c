import crypto from 'node:crypto';
import pg from 'pg';
import { hash } from '@node-rs/argon2';
import { MasterKeys, openEventStore, type EventStore } from '@leadline/eventstore';
import { createLogger, createServer, loadAccount, SessionStore } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCommandApp } from '../app.ts';
import { bootstrap } from '../bootstrap.ts';
import { payloadOf } from '../events.ts';
import { emailStream, reservationEventId } from './accounts.ts';
import { loadCredential, passwordMatches } from './credentials.ts';

const log = createLogger('account-sync-test', 'silent');
const SECRET = 'account-sync-test-secret-0123456789abcdef';

/** A user as a release before this one stored it: UserCreated version 1, with the argon2 hash inside. */
async function legacyUser(store: EventStore, email: string, password: string): Promise<string> {
  const userId = crypto.randomUUID();
  const meta = (type: string, version: number) => {
    const eventId = crypto.randomUUID();
    return { eventId, type, metadata: { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actorId: 'test', occurredAt: '2026-01-05T09:00:00.000Z', schemaVersion: version } };
  };
  const reserved = meta('UserEmailReserved', 1);
  await store.append(emailStream(email), [{ ...reserved, eventId: reservationEventId(email, userId), data: { userId, email } }], 'no_stream');
  await store.append(`user-${userId}`, [{ ...meta('UserCreated', 1), data: { userId, email, name: 'Old Timer', role: 'rep', passwordHash: await hash(password) } }], 'no_stream');
  return userId;
}

describe('accounts and credentials from the event log', () => {
  let db: TestDatabase;
  afterEach(() => db?.drop());

  const setup = async () => {
    db = await createTestDatabase();
    const eventStore = await openEventStore({ kind: 'postgres' }, { pool: db.pool, databaseUrl: db.url, log, masterKeys: MasterKeys.of(crypto.randomBytes(32)) });
    return { eventStore };
  };

  it('copies the hash of a version 1 UserCreated into cmd.credentials once; the event is read without it', async () => {
    const { eventStore } = await setup();
    const userId = await legacyUser(eventStore, 'old@example.com', 'the-old-password');
    await bootstrap({ eventStore, pool: db.pool, log });

    expect(await passwordMatches(await loadCredential(db.pool, userId), 'the-old-password')).toBe(true);
    expect(await loadAccount(db.pool, userId)).toMatchObject({ email: 'old@example.com', role: 'rep', disabled: false, version: 1 });
    const [stored] = await eventStore.readStream(`user-${userId}`);
    expect(payloadOf(stored).data).toEqual({ userId, email: 'old@example.com', name: 'Old Timer', role: 'rep' });
    // The stored event itself no longer holds the hash: a password change leaves no old hash in the log.
    const raw = await db.pool.query<{ data: { passwordHash?: string } }>('SELECT data FROM es.events WHERE event_id = $1', [stored.eventId]);
    expect(raw.rows[0].data.passwordHash).toBe('');
    expect(JSON.stringify(raw.rows[0].data)).not.toContain('$argon2');

    const app = await createServer({ logger: log, title: 'test' });
    await app.register(buildCommandApp({ pool: db.pool, eventStore, sessionSecret: SECRET, cookieSecure: false }));
    await app.ready();
    try {
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'old@example.com', password: 'the-old-password' } });
      expect(login.statusCode).toBe(200);
      const token = login.json<{ token: string }>().token;
      const changed = await app.inject({ method: 'POST', url: '/api/auth/password', payload: { currentPassword: 'the-old-password', newPassword: 'a-new-password-1' }, headers: { authorization: `Bearer ${token}` } });
      expect(changed.statusCode).toBe(200);
      // A second start does not bring the old hash back.
      await bootstrap({ eventStore, pool: db.pool, log });
      expect(await passwordMatches(await loadCredential(db.pool, userId), 'the-old-password')).toBe(false);
      expect(await passwordMatches(await loadCredential(db.pool, userId), 'a-new-password-1')).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('imports a user committed before the start even while another transaction in the cluster holds the readable head back', async () => {
    const { eventStore } = await setup();
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_current_xact_id()'); // an open transaction with an id: events after it are not readable yet
    const userId = await legacyUser(eventStore, 'held@example.com', 'the-old-password');
    const started = bootstrap({ eventStore, pool: db.pool, log });
    await new Promise((r) => setTimeout(r, 300));
    await holder.query('COMMIT');
    await holder.end();
    await started;
    expect(await loadAccount(db.pool, userId)).toMatchObject({ email: 'held@example.com' });
    expect(await passwordMatches(await loadCredential(db.pool, userId), 'the-old-password')).toBe(true);
  });

  it('at start, brings an account behind its stream up to date: a disable appended but never synced ends the sessions', async () => {
    const { eventStore } = await setup();
    const userId = await legacyUser(eventStore, 'crash@example.com', 'the-old-password');
    await bootstrap({ eventStore, pool: db.pool, log });
    const sessions = new SessionStore(db.pool, SECRET);
    const { token } = await sessions.issue({ userId, ttlSeconds: 600 });
    expect(await sessions.authenticate(token)).not.toBeNull();

    // The process died right after appending UserDisabled, before it wrote the account.
    const eventId = crypto.randomUUID();
    await eventStore.append(`user-${userId}`, [{ eventId, type: 'UserDisabled', data: { userId }, metadata: { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actorId: 'test', occurredAt: new Date().toISOString(), schemaVersion: 1 } }], 1);
    expect(await sessions.authenticate(token)).not.toBeNull();

    await bootstrap({ eventStore, pool: db.pool, log });
    expect(await loadAccount(db.pool, userId)).toMatchObject({ disabled: true, version: 2 });
    expect(await sessions.authenticate(token)).toBeNull();
  });
});
