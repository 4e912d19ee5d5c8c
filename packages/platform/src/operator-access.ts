import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './auth.ts';
import { ForbiddenError, UnauthorizedError } from './errors.ts';

/** Resolves the signed-in user of a request (bearer or session cookie), or null. Each service supplies its own. */
export type Authenticate = (request: FastifyRequest) => Promise<Principal | null>;

/** Without a way to authenticate (tools that only seed data), nobody is signed in. */
export const nobody: Authenticate = async () => null;

/** /api/docs: any signed-in user, whatever the role. */
export async function requireSignedIn(request: FastifyRequest, authenticate: Authenticate): Promise<Principal> {
  const principal = await authenticate(request);
  if (!principal) throw new UnauthorizedError('Sign in first: send a bearer token or the session cookie');
  return principal;
}

const sameSecret = (a: string, b: string): boolean =>
  crypto.timingSafeEqual(crypto.createHash('sha256').update(a).digest(), crypto.createHash('sha256').update(b).digest());

/** /api/metrics: `Authorization: Bearer <METRICS_TOKEN>` (a scraper), else an admin. */
export async function requireMetricsReader(request: FastifyRequest, authenticate: Authenticate, metricsToken: string | undefined): Promise<void> {
  const auth = request.headers.authorization;
  if (metricsToken && auth?.startsWith('Bearer ') && sameSecret(auth.slice(7).trim(), metricsToken)) return;
  const principal = await requireSignedIn(request, authenticate);
  if (principal.role !== 'admin') throw new ForbiddenError('Only admins (or a scraper holding METRICS_TOKEN) read the metrics');
}
