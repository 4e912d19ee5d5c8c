import { principalFromHeaders, verifyToken, type Principal } from '@leadline/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LiveHub } from './hub.ts';

/** Close code sent after `{type:'error'}` when the upgrade request carries no valid credentials. */
export const UNAUTHORIZED_CLOSE_CODE = 4401;

/**
 * A browser sends cookies with a WebSocket upgrade from any page, so a cookie session is
 * accepted only from the same origin; a bearer header or `?token=` cannot be forged that way.
 */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

export function livePrincipal(request: FastifyRequest, sessionSecret: string): Principal | null {
  const token = new URL(request.url, 'http://localhost').searchParams.get('token');
  if (token) return verifyToken(token, sessionSecret);
  if (request.headers.authorization) return principalFromHeaders({ authorization: request.headers.authorization }, sessionSecret);
  if (!sameOrigin(request)) return null;
  return principalFromHeaders({ cookie: request.headers.cookie }, sessionSecret);
}

export function registerLiveRoute(app: FastifyInstance, hub: LiveHub, sessionSecret: string): void {
  app.get('/api/live', { websocket: true }, (socket, request) => {
    const principal = livePrincipal(request, sessionSecret);
    if (!principal) {
      socket.send(JSON.stringify({ type: 'error', message: 'authentication required' }));
      socket.close(UNAUTHORIZED_CLOSE_CODE, 'unauthorized');
      return;
    }
    hub.connect(socket, principal);
  });
}
