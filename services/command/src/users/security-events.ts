import type { FastifyRequest } from 'fastify';
import type { Principal } from '@leadline/platform';

/** Sign-ins, sign-outs and changes to who may do what: the security events issue 11's audit trail records. */
export type SecurityEventKind =
  | 'login_succeeded'
  | 'login_failed'
  | 'login_locked'
  | 'logout'
  | 'session_revoked'
  | 'role_changed'
  | 'user_disabled'
  | 'user_enabled'
  | 'password_changed'
  | 'password_reset';

export type SecurityEvent = {
  kind: SecurityEventKind;
  /** Who did it; null when nobody is signed in (a failed sign-in). */
  actor: Pick<Principal, 'userId' | 'role' | 'email'> | null;
  subject: { type: 'user' | 'session' | 'email'; id: string };
  /** Ids and counts only, never a password or a token. */
  detail?: Record<string, unknown>;
};

/**
 * The one place the users slice reports security events. They go to the log as one structured
 * line each (`security: true`), with the client's address and user agent.
 */
export function recordSecurityEvent(request: FastifyRequest, event: SecurityEvent): void {
  const userAgent = request.headers['user-agent'];
  const actor = event.actor && { userId: event.actor.userId, role: event.actor.role, email: event.actor.email };
  request.log.info(
    { security: true, kind: event.kind, actor, subject: event.subject, ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null, detail: event.detail ?? {} },
    `security event: ${event.kind}`,
  );
}
