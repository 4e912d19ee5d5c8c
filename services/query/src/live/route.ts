import { liveCloseCodes } from '@leadline/contracts';
import { isSameOrigin, type LiveSession, type SessionStore } from '@leadline/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LiveHub } from './hub.ts';

/** Close code sent after `{type:'error'}` when the upgrade request carries no live session. */
export const UNAUTHORIZED_CLOSE_CODE = liveCloseCodes.sessionEnded;

/**
 * The session of an upgrade request: `?token=`, else `Authorization: Bearer`, else the cookie. A
 * browser sends cookies with a WebSocket upgrade from any page, so the cookie counts only when the
 * upgrade comes from our own origin (the same check as every cookie-authenticated write).
 */
export function liveSession(request: FastifyRequest, sessions: SessionStore): Promise<LiveSession | null> {
  const token = new URL(request.url, 'http://localhost').searchParams.get('token');
  if (token) return sessions.authenticate(token);
  return sessions.sessionOf(request, { cookie: isSameOrigin(request) });
}

export function registerLiveRoute(app: FastifyInstance, hub: LiveHub, sessions: SessionStore): void {
  // The session is checked before the upgrade, so the handler runs at once when the socket opens and
  // a message sent right after opening (a subscribe) is not lost while the check is in flight.
  const checked = new WeakMap<FastifyRequest, LiveSession | null | 'unavailable'>();
  app.get(
    '/api/live',
    {
      websocket: true,
      preValidation: async (request) => {
        const session = await liveSession(request, sessions).catch((err: unknown) => {
          request.log.warn({ err }, 'live: cannot check the session');
          return 'unavailable' as const;
        });
        checked.set(request, session);
      },
    },
    (socket, request) => {
      const session = checked.get(request) ?? null;
      if (session === 'unavailable') {
        // The database did not answer: not a signed-out user. 1013 (try again later): the client reconnects with backoff.
        socket.send(JSON.stringify({ type: 'error', message: 'the session cannot be checked right now; reconnecting' }));
        socket.close(1013, 'try again later');
        return;
      }
      if (!session) {
        socket.send(JSON.stringify({ type: 'error', message: 'authentication required' }));
        socket.close(UNAUTHORIZED_CLOSE_CODE, 'unauthorized');
        return;
      }
      hub.connect(socket, session);
    },
  );
}
