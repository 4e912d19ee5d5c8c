import { z } from 'zod';
import { isoDateTime, uuid } from './common.ts';

/** One of the signed-in user's live sessions (`GET /api/auth/sessions`). */
export const sessionDto = z.object({
  id: uuid,
  userAgent: z.string(),
  ip: z.string(),
  createdAt: isoDateTime,
  lastSeenAt: isoDateTime,
  expiresAt: isoDateTime,
  /** The session this request was made with. */
  current: z.boolean(),
});
export type SessionDto = z.infer<typeof sessionDto>;

export const sessionIdParams = z.object({ id: uuid });

export const sessionsRevoked = z.object({ revoked: z.number().int().nonnegative() });
export type SessionsRevoked = z.infer<typeof sessionsRevoked>;

/**
 * Close codes of the live socket. `sessionEnded`: signed out, revoked, disabled or expired (sign in
 * again). `accountChanged`: the role or team changed; reconnect at once to get the new permissions.
 */
export const liveCloseCodes = { sessionEnded: 4401, accountChanged: 4409 } as const;
