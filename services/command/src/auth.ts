import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError, canWrite, principalFromHeaders, type Principal } from '@leadline/platform';

export function requirePrincipal(request: FastifyRequest, sessionSecret: string): Principal {
  const principal = principalFromHeaders(request.headers, sessionSecret);
  if (!principal) throw new UnauthorizedError('Sign in first: send a bearer token or the session cookie');
  return principal;
}

/** Every write needs a signed-in user whose role may write (auditors and analysts only read). */
export function requireWriter(request: FastifyRequest, sessionSecret: string): Principal {
  const principal = requirePrincipal(request, sessionSecret);
  if (!canWrite(principal.role)) throw new ForbiddenError(`The ${principal.role} role is read-only`);
  return principal;
}
