import crypto from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Role } from '@leadline/contracts';
import { MasterKeys, openEventStore, type SealingEventStore } from '@leadline/eventstore';
import { SessionStore, createLogger, createServer } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { buildCommandApp } from '../app.ts';
import { bootstrap } from '../bootstrap.ts';

export const SESSION_SECRET = 'test-session-secret-that-is-long-enough-0123456789';

export type TestUser = { id: string; email: string; role: Role; token: string; password: string };

export type CommandHarness = {
  app: FastifyInstance;
  db: TestDatabase;
  /** The sealing store over PostgreSQL, with a master key of its own. */
  eventStore: SealingEventStore;
  admin: TestUser;
  request: (token: string | null, options: InjectOptions) => Promise<LightMyRequestResponse>;
  login: (email: string, password: string, remoteAddress?: string) => Promise<LightMyRequestResponse>;
  createUser: (role: Role, name?: string) => Promise<TestUser>;
  close: () => Promise<void>;
};

let userCounter = 0;

/** createServer + the command app against a fresh database, bootstrapped, with the admin signed in. */
export async function startCommandHarness(): Promise<CommandHarness> {
  const db = await createTestDatabase();
  const logger = createLogger('command-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const eventStore = await openEventStore({ kind: 'postgres' }, { pool: db.pool, databaseUrl: db.url, log: logger, masterKeys: MasterKeys.of(crypto.randomBytes(32)) });
  const sessions = new SessionStore(db.pool, SESSION_SECRET);
  const app = await createServer({ logger, title: 'Leadline command API', authenticate: (request) => sessions.principalOf(request) });
  await app.register(buildCommandApp({ pool: db.pool, eventStore, sessionSecret: SESSION_SECRET, cookieSecure: false }));
  await app.ready();
  const boot = await bootstrap({ eventStore, pool: db.pool, log: logger });
  if (!boot.admin.password) throw new Error('bootstrap did not create the admin');

  const request = (token: string | null, options: InjectOptions) =>
    app.inject({ ...options, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers } });
  const login = (email: string, password: string, remoteAddress = '127.0.0.1') =>
    app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress });
  const tokenFor = async (email: string, password: string) => {
    const res = await login(email, password, '10.9.9.9');
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
    return res.json<{ token: string }>().token;
  };
  const admin: TestUser = { id: '', email: boot.admin.email, role: 'admin', password: boot.admin.password, token: await tokenFor(boot.admin.email, boot.admin.password) };
  const me = await login(admin.email, admin.password, '10.9.9.9');
  admin.id = me.json<{ user: { id: string } }>().user.id;

  const createUser = async (role: Role, name = `${role} ${++userCounter}`): Promise<TestUser> => {
    const email = `${role}.${userCounter}.${Date.now()}@example.com`;
    const password = `pw-${role}-0123456789`;
    const res = await request(admin.token, { method: 'POST', url: '/api/users', payload: { email, name, role, password } });
    if (res.statusCode !== 201) throw new Error(`create user failed: ${res.body}`);
    return { id: res.json<{ id: string }>().id, email, role, password, token: await tokenFor(email, password) };
  };

  return {
    app,
    db,
    eventStore,
    admin,
    request,
    login,
    createUser,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
