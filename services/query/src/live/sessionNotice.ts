import type { Principal, SessionNotice } from '@leadline/platform';

/**
 * What a session notice means for one live socket: `end` (its session ended: the client signs in
 * again), `reconnect` (the user's permissions changed: the client reconnects at once and is
 * authorised afresh), or nothing.
 */
export function socketActionFor(notice: SessionNotice, principal: Principal): 'end' | 'reconnect' | null {
  if (notice.userId !== principal.userId) return null;
  switch (notice.kind) {
    case 'ended':
      return notice.sessionId === principal.sessionId ? 'end' : null;
    case 'ended-all':
      return notice.except === principal.sessionId ? null : 'end';
    case 'account':
      return 'reconnect';
    default: {
      const _exhaustive: never = notice;
      return _exhaustive;
    }
  }
}

/** The re-check of a socket's session: gone, permissions changed, or as it was. */
export function recheckActionFor(current: Principal | undefined, principal: Principal): 'end' | 'reconnect' | null {
  if (!current) return 'end';
  return current.role !== principal.role || current.teamId !== principal.teamId ? 'reconnect' : null;
}
