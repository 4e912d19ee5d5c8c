import { describe, expect, it } from 'vitest';
import { actorText, auditQuery, backwards, detailText, emptyAuditFilters, exportHref, kindLabel, localDayStart, mayReadAudit, subjectText } from './audit.ts';

describe('audit page helpers', () => {
  it('offers the audit log to auditors and admins only', () => {
    expect((['admin', 'manager', 'rep', 'auditor', 'analyst'] as const).filter(mayReadAudit)).toEqual(['admin', 'auditor']);
  });

  it('turns calendar days in the browser zone into an inclusive start and an exclusive end', () => {
    expect(localDayStart('2026-12-01')).toBe(new Date(2026, 11, 1).toISOString());
    expect(localDayStart('2026-12-31', 1)).toBe(new Date(2027, 0, 1).toISOString());
    expect(localDayStart('')).toBeUndefined();
    const f = { kind: 'export' as const, actorId: 'a', fromDay: '2026-12-01', toDay: '2026-12-02' };
    expect(auditQuery(f)).toEqual({ kind: 'export', actorId: 'a', from: new Date(2026, 11, 1).toISOString(), to: new Date(2026, 11, 3).toISOString() });
    expect(auditQuery(emptyAuditFilters())).toEqual({ kind: undefined, actorId: undefined, from: undefined, to: undefined });
  });

  it('builds the export link from the same filters, leaving out the empty ones', () => {
    expect(exportHref(emptyAuditFilters())).toBe('/api/audit/export');
    expect(exportHref({ ...emptyAuditFilters(), kind: 'login_failed' })).toBe('/api/audit/export?kind=login_failed');
  });

  it('notices a range that ends before it starts', () => {
    expect(backwards({ ...emptyAuditFilters(), fromDay: '2026-12-02', toDay: '2026-12-01' })).toBe(true);
    expect(backwards({ ...emptyAuditFilters(), fromDay: '2026-12-02', toDay: '2026-12-02' })).toBe(false);
    expect(backwards({ ...emptyAuditFilters(), fromDay: '2026-12-02' })).toBe(false);
  });

  it('says who, what and about what in words, markup left as typed', () => {
    expect(kindLabel('restricted_read')).toBe('Restricted read');
    expect(actorText(null)).toBe('Nobody signed in');
    expect(actorText({ userId: 'u', role: 'manager', email: 'max@example.com', name: null })).toBe('max@example.com (manager)');
    expect(subjectText({ type: 'lead', id: 'l1' })).toBe('lead l1');
    expect(detailText({ fields: ['dealValue', 'email'], reason: '<img src=x onerror=alert(1)>', filters: { kind: ['export'] } })).toBe('fields: dealValue, email · reason: <img src=x onerror=alert(1)> · filters: {"kind":["export"]}');
    expect(detailText({})).toBe('—');
  });
});
