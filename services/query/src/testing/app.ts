import { createLogger, createServer, signToken } from '@leadline/platform';
import type { TestDatabase } from '@leadline/testing';
import type { FastifyInstance } from 'fastify';
import { buildQueryApp, type QueryDeps } from '../app.ts';
import type { TestUser } from './readModel.ts';

export const TEST_SECRET = 'query-service-test-secret-0123456789abcdef';

/** The query app inside the shared server, as `npm start` and server.ts build it. */
export async function buildTestApp(db: TestDatabase, deps: Partial<QueryDeps> = {}): Promise<FastifyInstance> {
  const app = await createServer({ logger: createLogger('query-test', (process.env.TEST_LOG_LEVEL as 'error' | undefined) ?? 'silent'), title: 'Leadline query API' });
  await app.register(buildQueryApp({ pool: db.pool, databaseUrl: db.url, sessionSecret: TEST_SECRET, repVisibility: 'own', ...deps }));
  await app.ready();
  return app;
}

export const tokenFor = (user: TestUser): string => signToken({ userId: user.id, role: user.role, name: user.name, email: user.email }, TEST_SECRET);

export const authAs = (user: TestUser): { authorization: string } => ({ authorization: `Bearer ${tokenFor(user)}` });
