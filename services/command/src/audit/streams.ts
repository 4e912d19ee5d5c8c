/**
 * Audit events live in one stream per UTC day, `audit-YYYY-MM-DD`; `auditindex-days` lists the days
 * that have one (a writer that knows nothing yet finds the newest day there).
 */
export const AUDIT_EVENT = 'AuditRecorded';
export const AUDIT_STREAM_OPENED = 'AuditStreamOpened';
export const AUDIT_INDEX_STREAM = 'auditindex-days';

/** The prevHash of the very first audit event. */
export const GENESIS_HASH = '0'.repeat(64);

export const auditDayOf = (at: string): string => at.slice(0, 10);

export const auditStream = (day: string): string => `audit-${day}`;

export const dayOfAuditStream = (streamId: string): string => streamId.slice('audit-'.length);
