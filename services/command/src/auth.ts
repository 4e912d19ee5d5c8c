import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError, canWrite, type Principal, type SessionStore } from '@leadline/platform';

/** The live session's user, as their account stands now; 401 when there is none (signed out, revoked, disabled, expired). */
export async function requirePrincipal(request: FastifyRequest, sessions: SessionStore): Promise<Principal> {
  const principal = await sessions.principalOf(request);
  if (!principal) throw new UnauthorizedError('Sign in first: send a bearer token or the session cookie');
  return principal;
}

/** Every write needs a signed-in user whose role may write (auditors and analysts only read). */
export async function requireWriter(request: FastifyRequest, sessions: SessionStore): Promise<Principal> {
  const principal = await requirePrincipal(request, sessions);
  if (!canWrite(principal.role)) throw new ForbiddenError(`The ${principal.role} role is read-only`);
  return principal;
}
