import { liveCloseCodes } from '@leadline/contracts';
import type { LiveSession, SessionStore } from '@leadline/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LiveHub } from './hub.ts';

/** Close code sent after `{type:'error'}` when the upgrade request carries no live session. */
export const UNAUTHORIZED_CLOSE_CODE = liveCloseCodes.sessionEnded;

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

/** The session of an upgrade request: `?token=`, else `Authorization: Bearer`, else the cookie (same origin only). */
export function liveSession(request: FastifyRequest, sessions: SessionStore): Promise<LiveSession | null> {
  const token = new URL(request.url, 'http://localhost').searchParams.get('token');
  if (token) return sessions.authenticate(token);
  return sessions.sessionOf(request, { cookie: sameOrigin(request) });
}

export function registerLiveRoute(app: FastifyInstance, hub: LiveHub, sessions: SessionStore): void {
  app.get('/api/live', { websocket: true }, async (socket, request) => {
    const session = await liveSession(request, sessions).catch((err: unknown) => {
      request.log.warn({ err }, 'live: cannot check the session');
      return null;
    });
    if (socket.readyState !== socket.OPEN) return;
    if (!session) {
      socket.send(JSON.stringify({ type: 'error', message: 'authentication required' }));
      socket.close(UNAUTHORIZED_CLOSE_CODE, 'unauthorized');
      return;
    }
    hub.connect(socket, session);
  });
}
