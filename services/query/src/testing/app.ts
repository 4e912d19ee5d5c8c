import { SessionStore, createLogger, createServer } from '@leadline/platform';
import type { TestDatabase } from '@leadline/testing';
import type { FastifyInstance } from 'fastify';
import { buildQueryApp, type QueryDeps } from '../app.ts';
import { TEST_SECRET, type TestUser } from './readModel.ts';

/** The query app inside the shared server, as `npm start` and server.ts build it. */
export async function buildTestApp(db: TestDatabase, deps: Partial<QueryDeps> = {}): Promise<FastifyInstance> {
  const sessions = new SessionStore(db.pool, TEST_SECRET);
  const logger = createLogger('query-test', (process.env.TEST_LOG_LEVEL as 'error' | undefined) ?? 'silent');
  const app = await createServer({ logger, title: 'Leadline query API', authenticate: (request) => sessions.principalOf(request) });
  await app.register(buildQueryApp({ pool: db.pool, databaseUrl: db.url, sessionSecret: TEST_SECRET, repVisibility: 'own', ...deps }));
  await app.ready();
  return app;
}

export const tokenFor = (user: TestUser): string => user.token;

export const authAs = (user: TestUser): { authorization: string } => ({ authorization: `Bearer ${tokenFor(user)}` });
