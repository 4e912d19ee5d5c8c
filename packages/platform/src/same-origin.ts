import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnsupportedMediaTypeError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A bearer token is sent only by code that holds it; a page on another site cannot make a browser add it. */
const hasBearer = (request: FastifyRequest): boolean => /^Bearer\s/i.test(request.headers.authorization ?? '');

/**
 * Whether the browser says the request comes from our own origin. `Sec-Fetch-Site` first (every
 * current browser sends it; `none` is the user typing or bookmarking), else `Origin`, which a
 * browser adds to every cross-origin write. Neither header: not a browser (curl, a server), allowed.
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false; // "null" (a sandboxed frame, a file:) or garbage
  }
}

const isJson = (contentType: string): boolean => contentType.split(';')[0].trim().toLowerCase() === 'application/json';

const hasBody = (request: FastifyRequest): boolean => Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;

/**
 * CSRF defence for every write of every service, in one hook: a write that a browser could send
 * with its ambient cookie must come from our own origin (403 otherwise), and a write's body must be
 * JSON (415 otherwise). A `text/plain` form, the one kind of cross-site POST a browser sends
 * without asking the server first, fails both, even when it has no fields. Bearer requests are
 * exempt from the origin check, not from the media type.
 */
/**
 * For the rare GET with an effect (an audited export): a link on another site must not make a
 * signed-in browser perform it. Bearer requests and non-browsers pass, as for writes.
 */
export function requireSameOriginRead(request: FastifyRequest): void {
  if (!hasBearer(request) && !isSameOrigin(request)) throw new ForbiddenError('Cross-site request refused: open this from Leadline itself');
}

export function registerSameOriginGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (!hasBearer(request) && !isSameOrigin(request)) throw new ForbiddenError('Cross-origin write refused: Sec-Fetch-Site or Origin must name this site');
    const contentType = request.headers['content-type'];
    if (contentType !== undefined ? !isJson(contentType) : hasBody(request)) throw new UnsupportedMediaTypeError('A request body must be sent as application/json');
  });
}
