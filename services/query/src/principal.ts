import { principalFromHeaders, UnauthorizedError, type Principal } from '@leadline/platform';
import type { FastifyRequest } from 'fastify';

export function requirePrincipal(request: FastifyRequest, sessionSecret: string): Principal {
  const principal = principalFromHeaders(request.headers, sessionSecret);
  if (!principal) throw new UnauthorizedError('Sign in first: a bearer token or the session cookie is required');
  return principal;
}
