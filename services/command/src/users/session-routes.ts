import { sessionIdParams, sessionsRevoked, userIdParams } from '@leadline/contracts';
import { ForbiddenError, NotFoundError, endSession, endUserSessions, loadAccount } from '@leadline/platform';
import { z } from 'zod';
import { requirePrincipal } from '../auth.ts';
import type { App, RouteDeps } from '../deps.ts';
import { problems } from '../schemas.ts';
import { clearSessionCookie } from './http.ts';
import { recordSecurityEvent } from './security-events.ts';

/** Ending sessions: they are not events (a session is not a fact of the business), but each is a security event. */
export function registerSessionRoutes(app: App, deps: RouteDeps): void {
  const { sessions } = deps;

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out: ends this session on the server and clears the cookie',
        description: 'The token stops working at once, for HTTP and the live socket. Without a live session it only clears the cookie.',
        security: [],
        response: { 204: z.null().describe('Signed out') },
      },
    },
    async (request, reply) => {
      const session = await sessions.sessionOf(request);
      if (session) {
        const { principal } = session;
        await endSession(deps.pool, principal.userId, principal.sessionId, 'signed out');
        await recordSecurityEvent(request, deps.pool, { kind: 'logout', actor: principal, subject: { type: 'session', id: principal.sessionId } });
      }
      clearSessionCookie(reply, { secure: deps.cookieSecure });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/auth/sessions/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out one of your sessions',
        description: 'Another device, or this one (then the cookie is cleared too). A session that is not yours, or no longer live, is 404.',
        params: sessionIdParams,
        response: { 204: z.null().describe('Session ended'), ...problems(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, sessions);
      const id = request.params.id;
      if (!(await endSession(deps.pool, principal.userId, id, 'signed out from the sessions list'))) throw new NotFoundError(`Session ${id} not found`);
      await recordSecurityEvent(request, deps.pool, { kind: 'session_revoked', actor: principal, subject: { type: 'session', id } });
      if (id === principal.sessionId) clearSessionCookie(reply, { secure: deps.cookieSecure });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/sessions/revoke-others',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out everywhere else',
        description: 'Ends every session of yours but the one making this request.',
        response: { 200: sessionsRevoked, ...problems(401, 503) },
      },
    },
    async (request) => {
      const principal = await requirePrincipal(request, sessions);
      const revoked = await endUserSessions(deps.pool, principal.userId, { except: principal.sessionId, reason: 'signed out everywhere else' });
      await recordSecurityEvent(request, deps.pool, { kind: 'session_revoked', actor: principal, subject: { type: 'user', id: principal.userId }, detail: { revoked, keptSessionId: principal.sessionId } });
      return { revoked };
    },
  );

  app.post(
    '/api/users/:id/sessions/revoke',
    {
      schema: {
        tags: ['users'],
        summary: 'End every session of a user (admin only)',
        description: 'The user is signed out everywhere at once; their live sockets close.',
        params: userIdParams,
        response: { 200: sessionsRevoked, ...problems(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const principal = await requirePrincipal(request, sessions);
      if (principal.role !== 'admin') throw new ForbiddenError('Only admins manage users');
      const userId = request.params.id;
      if (!(await loadAccount(deps.pool, userId))) throw new NotFoundError(`User ${userId} not found`);
      const revoked = await endUserSessions(deps.pool, userId, { reason: 'revoked by an admin' });
      await recordSecurityEvent(request, deps.pool, { kind: 'session_revoked', actor: principal, subject: { type: 'user', id: userId }, detail: { revoked } });
      return { revoked };
    },
  );
}
