import crypto from 'node:crypto';
import { z } from 'zod';

export const roles = ['admin', 'manager', 'rep', 'auditor', 'analyst'] as const;
export type Role = (typeof roles)[number];

export type Principal = { userId: string; role: Role; name: string; email: string };

const tokenPayload = z.object({
  sub: z.string().uuid(),
  role: z.enum(roles),
  name: z.string(),
  email: z.string(),
  exp: z.number(),
});

export const SESSION_COOKIE = 'leadline_session';
export const TOKEN_TTL_SECONDS = 12 * 3600;

function b64(buf: Buffer | string): string {
  return Buffer.from(buf).toString('base64url');
}

/** A compact HMAC-signed token (`payload.signature`), verifiable by every service holding SESSION_SECRET. */
export function signToken(principal: Principal, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const payload = b64(JSON.stringify({ sub: principal.userId, role: principal.role, name: principal.name, email: principal.email, exp: nowSeconds + TOKEN_TTL_SECONDS }));
  const sig = b64(crypto.createHmac('sha256', secret).update(payload).digest());
  return `${payload}.${sig}`;
}

export function verifyToken(token: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): Principal | null {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return null;
  const expected = b64(crypto.createHmac('sha256', secret).update(payload).digest());
  const a = Buffer.from(sig);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const result = tokenPayload.safeParse(parsed);
  if (!result.success || result.data.exp < nowSeconds) return null;
  return { userId: result.data.sub, role: result.data.role, name: result.data.name, email: result.data.email };
}

/** Reads the principal from `Authorization: Bearer`, else from the session cookie. */
export function principalFromHeaders(headers: { authorization?: string; cookie?: string }, secret: string): Principal | null {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return verifyToken(auth.slice(7).trim(), secret);
  const cookie = headers.cookie;
  if (!cookie) return null;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return verifyToken(decodeURIComponent(v.join('=')), secret);
  }
  return null;
}

export const canWrite = (role: Role): boolean => role === 'admin' || role === 'manager' || role === 'rep';
