import { UnauthorizedError, type Principal, type SessionStore } from '@leadline/platform';
import type { FastifyRequest } from 'fastify';

/** The live session's user, as their account stands now (sessions are checked on every request). */
export async function requirePrincipal(request: FastifyRequest, sessions: SessionStore): Promise<Principal> {
  const principal = await sessions.principalOf(request);
  if (!principal) throw new UnauthorizedError('Sign in first: a bearer token or the session cookie is required');
  return principal;
}
