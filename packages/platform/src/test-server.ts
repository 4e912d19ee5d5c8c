import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roles, tokenFromHeaders, type Principal, type Role } from './auth.ts';
import { createLogger } from './logger.ts';
import type { Authenticate } from './operator-access.ts';
import { createServer, type ServerOptions } from './server.ts';

/** A stand-in for a service's session lookup: the token `test-<role>` signs in a user of that role. */
export const tokenAs = (role: Role): string => `test-${role}`;

const testAuthenticate: Authenticate = async (request) => {
  const role = tokenFromHeaders(request.headers)?.replace(/^test-/, '') as Role | undefined;
  if (!role || !roles.includes(role)) return null;
  const principal: Principal = { userId: '2f1c7d8e-4b5a-4c3d-9e8f-0a1b2c3d4e5f', role, name: role, email: `${role}@test.local`, teamId: null, sessionId: '3a1c7d8e-4b5a-4c3d-9e8f-0a1b2c3d4e5f' };
  return principal;
};

/**
 * createServer listening on a real port, with a few routes as a service would add them: a JSON
 * write, a body-less write, a read that echoes what the server believes of the client.
 */
export async function serveForTest(options: Partial<ServerOptions> = {}): Promise<{ app: FastifyInstance; url: string; close: () => Promise<void> }> {
  const app = await createServer({ logger: createLogger('platform-test', 'silent'), title: 'test', authenticate: testAuthenticate, ...options });
  await app.register(async (a) => {
    const typed = a.withTypeProvider<ZodTypeProvider>();
    typed.post('/api/things', { schema: { body: z.object({ name: z.string().max(40), tags: z.record(z.string(), z.string()).optional() }) } }, async (req) => req.body);
    typed.post('/api/things/:id/archive', { schema: { params: z.object({ id: z.string() }) } }, async (req) => ({ archived: req.params.id }));
    typed.get('/api/whoami', { schema: { querystring: z.object({ q: z.string().optional() }) } }, async (req) => ({ ip: req.ip, host: req.host }));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
