import type { AuditKind, AuditSubject } from '@leadline/contracts';
import type { Principal } from '@leadline/platform';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { auditContext, recordAudit } from '../audit/record.ts';

/** Sign-ins, sign-outs and changes to who may do what. */
export type SecurityEvent = {
  kind: Extract<AuditKind, 'login_succeeded' | 'login_failed' | 'login_locked' | 'logout' | 'session_revoked' | 'role_changed' | 'user_disabled' | 'user_enabled' | 'password_changed' | 'password_reset'>;
  /** Who did it; null when nobody is signed in (a failed sign-in). */
  actor: Pick<Principal, 'userId' | 'role' | 'email'> | null;
  subject: AuditSubject;
  /** Ids and counts only, never a password or a token. */
  detail?: Record<string, unknown>;
};

/**
 * The one place the users slice records security events: an audit event each (docs/audit.md), with
 * the client's address and user agent, awaited so that it is in the trail when the answer leaves.
 * Should the audit append fail, the failure is logged and the request goes on: the change it
 * records has already happened.
 */
export async function recordSecurityEvent(request: FastifyRequest, pool: pg.Pool, event: SecurityEvent): Promise<void> {
  const actor = event.actor && { userId: event.actor.userId, role: event.actor.role, email: event.actor.email };
  try {
    await recordAudit(pool, auditContext(request, actor), { kind: event.kind, subject: event.subject, detail: event.detail });
  } catch (err) {
    request.log.error({ err, kind: event.kind, subject: event.subject }, 'security event not recorded in the audit trail');
  }
}
