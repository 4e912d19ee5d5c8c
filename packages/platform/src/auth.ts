export const roles = ['admin', 'manager', 'rep', 'auditor', 'analyst'] as const;
export type Role = (typeof roles)[number];

/**
 * Who is asking: read from the live session and the user's current account on every request
 * (sessions/store.ts), never from the token, so a role change or a disable applies to the next request.
 */
export type Principal = { userId: string; role: Role; name: string; email: string; teamId: string | null; sessionId: string };

export const SESSION_COOKIE = 'leadline_session';

/**
 * The session token from `Authorization: Bearer`, else from the session cookie (unless cookies are
 * not accepted here). Another Authorization scheme (a proxy's Basic auth) leaves the cookie in use.
 */
export function tokenFromHeaders(headers: { authorization?: string; cookie?: string }, options: { cookie: boolean } = { cookie: true }): string | null {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || null;
  if (!options.cookie || !headers.cookie) return null;
  for (const part of headers.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(v.join('=')) || null;
    } catch {
      return null;
    }
  }
  return null;
}

export const canWrite = (role: Role): boolean => role === 'admin' || role === 'manager' || role === 'rep';
