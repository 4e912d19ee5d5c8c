import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, sendProblem } from '@leadline/platform';

/** The session cookie: httpOnly, same-site, secure over HTTPS, as long-lived as the session. */
export function setSessionCookie(reply: FastifyReply, token: string, options: { secure: boolean; maxAgeSeconds: number }): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: options.secure, maxAge: options.maxAgeSeconds });
}

export function clearSessionCookie(reply: FastifyReply, options: { secure: boolean }): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: options.secure });
}

export function sendRateLimited(request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  return sendProblem(
    reply,
    { type: 'https://leadline.dev/problems/rate-limited', title: 'Too many requests', status: 429, detail: `Too many attempts; try again in ${retryAfterSeconds} s`, instance: request.url.split('?')[0] },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** What a session list shows about where it was opened. */
export const clientOf = (request: FastifyRequest): { userAgent: string; ip: string } => {
  const ua = request.headers['user-agent'];
  return { userAgent: typeof ua === 'string' ? ua : '', ip: request.ip };
};
