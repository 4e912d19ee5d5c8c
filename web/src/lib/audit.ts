import { auditKinds, type AuditEntryDto, type AuditKind } from '@leadline/contracts';

// Who may read it is lib/permissions.ts's mayReadAudit (the server enforces it; the app just doesn't offer it to others).
export { mayReadAudit } from './permissions.ts';

/** What the Audit page's filters hold: a kind, a person, and calendar days in the browser's time zone. */
export type AuditFilters = { kind: AuditKind | ''; actorId: string; fromDay: string; toDay: string };

export const emptyAuditFilters = (): AuditFilters => ({ kind: '', actorId: '', fromDay: '', toDay: '' });

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight starting the calendar day `day` (YYYY-MM-DD) in the browser's time zone, plus `addDays`, as an ISO instant. */
export function localDayStart(day: string, addDays = 0): string | undefined {
  const m = DAY.exec(day);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).toISOString() : undefined;
}

/** The query of `GET /api/audit` and its export: `from` the start of the first day, `to` the start of the day after the last (exclusive). */
export function auditQuery(f: AuditFilters): Record<string, string | undefined> {
  return {
    kind: f.kind || undefined,
    actorId: f.actorId || undefined,
    from: localDayStart(f.fromDay),
    to: localDayStart(f.toDay, 1),
  };
}

/** A range whose last day is before its first; the server refuses it too. */
export const backwards = (f: AuditFilters): boolean => Boolean(f.fromDay && f.toDay && f.toDay < f.fromDay);

export function exportHref(f: AuditFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(auditQuery(f))) if (v) params.set(k, v);
  const qs = params.toString();
  return `/api/audit/export${qs ? `?${qs}` : ''}`;
}

export const auditKindOptions = auditKinds.map((kind) => ({ kind, label: kindLabel(kind) }));

/** `login_failed` → "Login failed". */
export function kindLabel(kind: AuditKind): string {
  const words = kind.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const actorText = (actor: AuditEntryDto['actor']): string => (actor ? `${actor.name ?? actor.email} (${actor.role})` : 'Nobody signed in');

export const subjectText = (subject: AuditEntryDto['subject']): string => (subject ? `${subject.type} ${subject.id}` : '—');

/** The detail as one line of text: `fields: dealValue, email · reason: asked`; nested values as JSON. */
export function detailText(detail: Record<string, unknown>): string {
  const parts = Object.entries(detail).map(([k, v]) => `${k}: ${Array.isArray(v) && v.every((x) => typeof x !== 'object') ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  return parts.length ? parts.join(' · ') : '—';
}
