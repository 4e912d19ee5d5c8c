import { customFieldOf, fieldAccessOf, policyRoles, policyStandardFields, type FieldView, type LeadDto, type PolicyField } from '@leadline/contracts';

/**
 * Restricted fields: those the policy hides from some role on some lead (any rule with access
 * `hidden`), and custom fields not granted to every role on every lead (custom fields are
 * allowlisted). Reading one of them on a lead is an audit event (`restricted_read`).
 */
function isRestricted(view: FieldView, field: PolicyField): boolean {
  const rules = view.policy.rules.filter((r) => r.field === field);
  if (rules.some((r) => r.access === 'hidden')) return true;
  if (!field.startsWith('custom.')) return false;
  return !policyRoles.every((role) => rules.some((r) => r.role === role && r.leads === 'all' && r.access !== 'hidden'));
}

const hasValue = (v: unknown): boolean => v !== null && v !== undefined && v !== '';

/** The restricted fields with a value that this (already redacted) lead shows its viewer, in a stable order. */
export function restrictedFieldsShown(view: FieldView, lead: LeadDto): PolicyField[] {
  const shown: PolicyField[] = [];
  const record = lead as unknown as Record<string, unknown>;
  for (const field of policyStandardFields) {
    if (hasValue(record[field]) && isRestricted(view, field) && fieldAccessOf(view, lead.ownerId, field) !== 'hidden') shown.push(field);
  }
  for (const [key, value] of Object.entries(lead.customFields ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const field = customFieldOf(key);
    if (hasValue(value) && isRestricted(view, field) && fieldAccessOf(view, lead.ownerId, field) !== 'hidden') shown.push(field);
  }
  return shown;
}

/**
 * Restricted reads already recorded, so a lead page that reloads on every live change does not write
 * an audit event each time: one record per session, lead and set of fields per window (10 minutes).
 */
export class RecentRestrictedReads {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs = 10 * 60_000, private readonly max = 10_000) {}

  /** True the first time in the window (then the caller records it). */
  firstIn(sessionId: string, leadId: string, fields: readonly string[], now = Date.now()): boolean {
    const key = `${sessionId}|${leadId}|${fields.join(',')}`;
    const at = this.seen.get(key);
    if (at !== undefined && now - at < this.windowMs) return false;
    this.seen.delete(key);
    this.seen.set(key, now);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }

  /** Forgets a window's entry whose record could not be written, so the next read tries again. */
  forget(sessionId: string, leadId: string, fields: readonly string[]): void {
    this.seen.delete(`${sessionId}|${leadId}|${fields.join(',')}`);
  }
}
