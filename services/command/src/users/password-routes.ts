import { changePasswordBody, commandAccepted, resetPasswordBody, userIdParams } from '@leadline/contracts';
import { ForbiddenError, ValidationError, endUserSessions } from '@leadline/platform';
import { requirePrincipal } from '../auth.ts';
import type { App, RouteDeps } from '../deps.ts';
import { acceptedAnswer, executeCommand, handleCommand } from '../handler.ts';
import { syncAccount } from './accountSync.ts';
import { userStream } from '../reads.ts';
import { changeHeaders, createHeaders, problems } from '../schemas.ts';
import { hashPassword, loadCredential, passwordMatches, setCredential } from './credentials.ts';
import { changePassword, resetPassword } from './decide.ts';
import { sendRateLimited } from './http.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { recordSecurityEvent } from './security-events.ts';
import { userAggregate } from './user.ts';

/**
 * A password change appends UserPasswordChanged (who, and whether it was a reset; never a hash),
 * then overwrites the credential and ends sessions. Written after the append: should that write
 * fail, a retry finds the event already there and writes it again.
 */
export function registerPasswordRoutes(app: App, deps: RouteDeps & { throttle: LoginThrottle }): void {
  const store = deps.eventStore;

  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your own password',
        description:
          'Any role. Needs the current password (a wrong one is 400 naming body.currentPassword, and counts as a failed sign-in for throttling: 429 with Retry-After). ' +
          'Every other session of yours ends; this one stays.',
        headers: createHeaders,
        body: changePasswordBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      const principal = await requirePrincipal(request, deps.sessions);
      const { currentPassword, newPassword } = request.body;
      const claim = await deps.throttle.claim(principal.email, request.ip);
      if (!claim.allowed) return sendRateLimited(request, reply, claim.retryAfterSeconds);
      if (!(await passwordMatches(await loadCredential(deps.pool, principal.userId), currentPassword)))
        throw new ValidationError('The current password is wrong', [{ field: 'body.currentPassword', message: 'is not your current password' }]);
      await deps.throttle.succeeded(principal.email, request.ip);
      if (newPassword === currentPassword) throw new ValidationError('Choose a new password', [{ field: 'body.newPassword', message: 'must differ from the current password' }]);
      return executeCommand(
        request,
        reply,
        deps,
        'ChangePassword',
        async ({ metadata }) => {
          const userId = principal.userId;
          const passwordHash = await hashPassword(newPassword);
          const outcome = await handleCommand(store, {
            streamId: userStream(userId),
            aggregate: userAggregate,
            metadata,
            decide: (loaded) => changePassword({ type: 'ChangePassword', data: { userId }, metadata }, loaded.state),
          });
          await setCredential(deps.pool, userId, passwordHash, { mustChange: false });
          await syncAccount({ eventStore: store, pool: deps.pool }, userId);
          const ended = await endUserSessions(deps.pool, userId, { except: principal.sessionId, reason: 'password changed' });
          await recordSecurityEvent(request, deps.pool, { kind: 'password_changed', actor: principal, subject: { type: 'user', id: userId }, detail: { endedSessions: ended } });
          return acceptedAnswer(userId, outcome);
        },
        { who: 'anyone' },
      );
    },
  );

  app.post(
    '/api/users/:id/password-reset',
    {
      schema: {
        tags: ['users'],
        summary: 'Set a temporary password for a user (admin only)',
        description: 'Every session of the user ends. At their next sign-in the answer says `mustChangePassword: true`, and the web app asks for a new password.',
        headers: changeHeaders,
        params: userIdParams,
        body: resetPasswordBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'ResetPassword', async ({ metadata, principal, ifMatch }) => {
        if (principal.role !== 'admin') throw new ForbiddenError('Only admins manage users');
        const userId = request.params.id;
        const passwordHash = await hashPassword(request.body.temporaryPassword);
        const outcome = await handleCommand(store, {
          streamId: userStream(userId),
          aggregate: userAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: (loaded) => resetPassword({ type: 'ResetPassword', data: { userId }, metadata }, loaded.state),
        });
        await setCredential(deps.pool, userId, passwordHash, { mustChange: true });
        await syncAccount({ eventStore: store, pool: deps.pool }, userId);
        const ended = await endUserSessions(deps.pool, userId, { reason: 'password reset by an admin' });
        await recordSecurityEvent(request, deps.pool, { kind: 'password_reset', actor: principal, subject: { type: 'user', id: userId }, detail: { endedSessions: ended } });
        return acceptedAnswer(userId, outcome);
      }),
  );
}
