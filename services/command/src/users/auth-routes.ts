import { loginBody, loginResponse } from '@leadline/contracts';
import { UnauthorizedError, endSession } from '@leadline/platform';
import type { App, RouteDeps } from '../deps.ts';
import { DEFAULT_SESSION_TTL_SECONDS } from '../deps.ts';
import { problems } from '../schemas.ts';
import { syncAccount } from './accountSync.ts';
import { findUserByEmail } from './accounts.ts';
import { loadCredential, passwordMatches } from './credentials.ts';
import { clientOf, sendRateLimited, setSessionCookie } from './http.ts';
import { startsDelay } from './login-policy.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { recordSecurityEvent } from './security-events.ts';

const WRONG_CREDENTIALS = 'Wrong email or password';

export function registerAuthRoutes(app: App, deps: RouteDeps & { throttle: LoginThrottle }): void {
  const ttl = deps.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
  const policy = deps.throttle.policy;
  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in',
        description:
          'Opens a server-side session: answers its bearer token and sets the httpOnly `leadline_session` cookie. Wrong email and wrong password get the same 401. ' +
          `Throttling (PostgreSQL, shared by replicas): after ${policy.freeFailures} failures for one account from one address, each further attempt from that address waits twice as long (2 s ... ${policy.maxDelaySeconds} s); ` +
          `at most ${policy.addressFailures} failures per address in ${policy.addressWindowSeconds / 60} minutes. The owner signing in from another address is not slowed. Over a limit: 429 with Retry-After.`,
        security: [],
        body: loginBody,
        response: { 200: loginResponse, ...problems(400, 401, 429, 503) },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const claim = await deps.throttle.claim(email, request.ip);
      if (!claim.allowed) {
        request.log.warn({ email, ip: request.ip, limit: claim.limit }, 'sign-in throttled');
        return sendRateLimited(request, reply, claim.retryAfterSeconds);
      }
      const user = await findUserByEmail(deps.eventStore, email);
      const credential = user ? await loadCredential(deps.pool, user.id) : null;
      const valid = await passwordMatches(credential, password);
      if (!user || !valid || user.disabled) {
        const reason = !user || !valid ? 'wrong email or password' : 'account disabled';
        await recordSecurityEvent(request, deps.pool, { kind: 'login_failed', actor: null, subject: { type: 'email', id: email }, detail: { reason, failures: claim.failures } });
        if (startsDelay(claim.failures, policy) || claim.addressFailures === policy.addressFailures)
          await recordSecurityEvent(request, deps.pool, { kind: 'login_locked', actor: null, subject: { type: 'email', id: email }, detail: { failures: claim.failures, addressFailures: claim.addressFailures } });
        throw new UnauthorizedError(valid && user?.disabled ? 'This account is disabled; ask an admin' : WRONG_CREDENTIALS);
      }
      await deps.throttle.succeeded(email, request.ip);
      const account = await syncAccount(deps, user.id);
      if (!account) throw new UnauthorizedError(WRONG_CREDENTIALS);
      const session = await deps.sessions.issue({ userId: user.id, ttlSeconds: ttl, ...clientOf(request) });
      // A password change or reset that landed while the password was being checked ends every session
      // after it sets the new hash: if the hash moved on, this session (maybe issued after that) must end too.
      if ((await loadCredential(deps.pool, user.id))?.passwordHash !== credential?.passwordHash) {
        await endSession(deps.pool, user.id, session.sessionId, 'password changed during sign-in');
        throw new UnauthorizedError(WRONG_CREDENTIALS);
      }
      setSessionCookie(reply, session.token, { secure: deps.cookieSecure, maxAgeSeconds: ttl });
      reply.header('Cache-Control', 'no-store');
      await recordSecurityEvent(request, deps.pool, { kind: 'login_succeeded', actor: { userId: user.id, role: account.role, email: account.email }, subject: { type: 'session', id: session.sessionId } });
      return { token: session.token, user: { id: user.id, email: account.email, name: account.name, role: account.role, teamId: account.teamId }, mustChangePassword: credential?.mustChange ?? false };
    },
  );
}
