import type { AuditEntryDto } from '@leadline/contracts';

export const AUDIT_CSV_COLUMNS = ['at', 'kind', 'actor_email', 'actor_name', 'actor_role', 'actor_id', 'subject_type', 'subject_id', 'ip', 'user_agent', 'detail', 'stream', 'version', 'hash'] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A value a spreadsheet
 * would run as a formula (starting with = + - @, tab or carriage return) gets a leading apostrophe:
 * the file is data, never code.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (fields: (string | number | null)[]): string => `${fields.map(csvField).join(',')}\r\n`;

export const auditCsvHeader = (): string => csvLine([...AUDIT_CSV_COLUMNS]);

export const auditCsvLine = (e: AuditEntryDto): string =>
  csvLine([e.at, e.kind, e.actor?.email ?? null, e.actor?.name ?? null, e.actor?.role ?? null, e.actor?.userId ?? null, e.subject?.type ?? null, e.subject?.id ?? null, e.ip, e.userAgent, JSON.stringify(e.detail), e.streamId, e.streamVersion, e.hash]);
