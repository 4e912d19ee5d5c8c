import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { loginBody, loginResponse } from '@leadline/contracts';
import { SESSION_COOKIE, TOKEN_TTL_SECONDS, UnauthorizedError, sendProblem, signToken } from '@leadline/platform';
import type { App, RouteDeps } from '../deps.ts';
import { problems } from '../schemas.ts';
import { findUserByEmail } from './accounts.ts';
import type { LoginLimiter } from './login-limiter.ts';

const WRONG_CREDENTIALS = 'Wrong email or password';

let dummyHash: Promise<string> | undefined;
/** Verifying against a throwaway hash for unknown emails keeps the answer time the same as for a wrong password. */
const hashForUnknownUser = (): Promise<string> => (dummyHash ??= hash('leadline-no-such-user'));

export function registerAuthRoutes(app: App, deps: RouteDeps & { limiter: LoginLimiter }): void {
  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in',
        description:
          'Answers a bearer token and sets the httpOnly `leadline_session` cookie. Wrong email and wrong password get the same 401. Limits (in memory, per replica): 10 failed attempts per account and 30 attempts per address in 15 minutes, then 429 with Retry-After.',
        security: [],
        body: loginBody,
        response: { 200: loginResponse, ...problems(400, 401, 429, 503) },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const retryAfter = deps.limiter.retryAfterSeconds(email, request.ip);
      if (retryAfter > 0) {
        request.log.warn({ email, ip: request.ip }, 'login rate limited');
        return sendProblem(
          reply,
          { type: 'https://leadline.dev/problems/rate-limited', title: 'Too many requests', status: 429, detail: `Too many sign-in attempts; try again in ${retryAfter} s`, instance: request.url },
          { 'Retry-After': String(retryAfter) },
        );
      }
      deps.limiter.recordAttempt(request.ip);
      const user = await findUserByEmail(deps.eventStore, email);
      const valid = await verify(user?.passwordHash ?? (await hashForUnknownUser()), password).catch(() => false);
      if (!user || !valid) {
        deps.limiter.recordFailure(email);
        throw new UnauthorizedError(WRONG_CREDENTIALS);
      }
      deps.limiter.recordSuccess(email);
      const token = signToken({ userId: user.id, role: user.role, name: user.name, email: user.email }, deps.sessionSecret);
      reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: deps.cookieSecure, maxAge: TOKEN_TTL_SECONDS });
      reply.header('Cache-Control', 'no-store');
      request.log.info({ correlationId: request.correlationId, userId: user.id }, 'signed in');
      return { token, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: { tags: ['auth'], summary: 'Sign out (clears the session cookie)', security: [], response: { 204: z.null().describe('Signed out') } },
    },
    async (_request, reply) => {
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: deps.cookieSecure });
      return reply.code(204).send(null);
    },
  );
}
