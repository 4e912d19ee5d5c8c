import { z } from 'zod';

/** NOTIFY channel on which the command side announces ended sessions and changed accounts (delivered on commit). */
export const SESSION_CHANNEL = 'leadline_sessions';

/**
 * - `ended`: one session ended (signed out, or revoked from the sessions list).
 * - `ended-all`: every session of the user ended but `except` (null: every one): disabled, password
 *   changed or reset, "sign out everywhere else", an admin's revoke.
 * - `account`: the user's role, team or disabled state changed: live sockets reconnect to get the
 *   new permissions (HTTP needs nothing: every request reads the current account).
 */
export const sessionNotice = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ended'), userId: z.uuid(), sessionId: z.uuid() }),
  z.object({ kind: z.literal('ended-all'), userId: z.uuid(), except: z.uuid().nullable() }),
  z.object({ kind: z.literal('account'), userId: z.uuid() }),
]);
export type SessionNotice = z.infer<typeof sessionNotice>;
