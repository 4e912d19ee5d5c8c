import { z } from 'zod';
import { checkpoint, isoDateTime, queryMeta, role, uuid } from './common.ts';

/** What an audit event records: access to sensitive data and changes to who may access what. */
export const auditKinds = [
  'login_succeeded',
  'login_failed',
  'login_locked',
  'logout',
  'session_revoked',
  'role_changed',
  'user_disabled',
  'user_enabled',
  'password_changed',
  'password_reset',
  'permission_changed',
  'export',
  'forget',
  'restricted_read',
] as const;
export const auditKind = z.enum(auditKinds);
export type AuditKind = z.infer<typeof auditKind>;

/** What an audit event is about: a user, a lead, a session, an email tried at sign-in, a permission set, a data set exported. */
export const auditSubjectTypes = ['user', 'lead', 'session', 'email', 'permissions', 'dataset'] as const;
export const auditSubjectType = z.enum(auditSubjectTypes);

export const auditActor = z.object({ userId: uuid, role, email: z.string().max(254) });
export type AuditActor = z.infer<typeof auditActor>;

export const auditSubject = z.object({ type: auditSubjectType, id: z.string().min(1).max(320) });
export type AuditSubject = z.infer<typeof auditSubject>;

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 as 64 lowercase hex digits');

/** The audit event this one follows in the chain (null only for the very first audit event). */
export const auditLink = z.object({ streamId: z.string().regex(/^audit-\d{4}-\d{2}-\d{2}$/), version: z.number().int().positive() });
export type AuditLink = z.infer<typeof auditLink>;

/**
 * Appended to `audit-YYYY-MM-DD` (docs/audit.md) by the audit chainer, from the records waiting in the outbox. `hash = sha256(prevHash + canonical JSON of every
 * other field)`; `prev` names the event whose hash is `prevHash`: the previous event of the same stream,
 * or for a day's first event the newest event of an earlier day.
 */
export const auditRecordedV1 = z.object({
  /** The record's id (what recordAudit answered). After a crash one record may be chained twice, never under two ids. */
  recordId: uuid,
  kind: auditKind,
  at: isoDateTime,
  /** Who did it; null when nobody is signed in (a failed sign-in). */
  actor: auditActor.nullable(),
  subject: auditSubject.nullable(),
  ip: z.string().max(64).nullable(),
  userAgent: z.string().max(512).nullable(),
  /** What else an auditor needs (the fields read, the filters of an export, the old and new role); ids, never a lead's personal data. */
  detail: z.record(z.string(), z.unknown()),
  prev: auditLink.nullable(),
  prevHash: sha256Hex,
  hash: sha256Hex,
});
export type AuditRecordedData = z.infer<typeof auditRecordedV1>;

/** Appended to `auditindex-days` before a day's audit stream gets its first event: how a writer finds the newest day. */
export const auditStreamOpenedV1 = z.object({ streamId: auditLink.shape.streamId, day: z.iso.date() });

const kindsParam = z
  .string()
  .regex(/^[a-z_]+(,[a-z_]+)*$/, 'comma-separated kinds')
  .pipe(z.string().transform((s) => s.split(',')).pipe(z.array(auditKind)));

const filterFields = z.object({
  kind: kindsParam.optional(),
  actorId: uuid.optional(),
  /** A subject id: a user or lead id, a session id, an email tried at sign-in, a data set name. */
  subject: z.string().trim().min(1).max(320).optional(),
  /** Inclusive. */
  from: isoDateTime.optional(),
  /** Exclusive. */
  to: isoDateTime.optional(),
});

const fromBeforeTo = (f: { from?: string; to?: string }, ctx: z.RefinementCtx) => {
  if (f.from && f.to && Date.parse(f.from) >= Date.parse(f.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
};

/** The filters of the audit list and of its export. */
export const auditFilter = filterFields.superRefine(fromBeforeTo);
export type AuditFilter = z.infer<typeof auditFilter>;

export const auditListQuery = filterFields
  .extend({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
    minCheckpoint: checkpoint.optional(),
  })
  .superRefine(fromBeforeTo);
export type AuditListQuery = z.infer<typeof auditListQuery>;

export const auditExportQuery = filterFields.extend({ minCheckpoint: checkpoint.optional() }).superRefine(fromBeforeTo);

export const auditEntryDto = z.object({
  id: uuid,
  at: isoDateTime,
  kind: auditKind,
  actor: auditActor.extend({ name: z.string().nullable() }).nullable(),
  subject: auditSubject.nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  streamId: z.string(),
  streamVersion: z.number().int(),
  hash: sha256Hex,
});
export type AuditEntryDto = z.infer<typeof auditEntryDto>;

export const auditPage = queryMeta.extend({ items: z.array(auditEntryDto), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof auditPage>;
