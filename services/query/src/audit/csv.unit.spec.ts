import { describe, expect, it } from 'vitest';
import type { AuditEntryDto } from '@leadline/contracts';
import { AUDIT_CSV_COLUMNS, auditCsvHeader, auditCsvLine, csvField } from './csv.ts';

describe('audit CSV', () => {
  it('quotes fields with commas, quotes and line breaks, and leaves the rest bare', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('3');
  });

  it('never lets a spreadsheet run a cell as a formula', () => {
    for (const hostile of ['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvField(hostile).replace(/^"/, '')).toMatch(/^'/);
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
    expect(csvField(-5)).toBe('-5');
  });

  it('writes one line per entry under the header, the detail as JSON', () => {
    const entry: AuditEntryDto = {
      id: '0b6f7c1e-9d1a-4c55-9a43-0d9f1a1b2c3d', at: '2026-12-02T09:00:00.000Z', kind: 'restricted_read',
      actor: { userId: '6f1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d', role: 'manager', email: 'max@example.com', name: 'Max, the manager' },
      subject: { type: 'lead', id: '7a1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d' }, ip: '10.0.0.1', userAgent: null, detail: { fields: ['dealValue'] },
      streamId: 'audit-2026-12-02', streamVersion: 4, hash: 'a'.repeat(64),
    };
    expect(auditCsvHeader()).toBe(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
    expect(auditCsvLine(entry)).toBe(
      `2026-12-02T09:00:00.000Z,restricted_read,max@example.com,"Max, the manager",manager,6f1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d,lead,7a1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d,10.0.0.1,,"{""fields"":[""dealValue""]}",audit-2026-12-02,4,${'a'.repeat(64)}\r\n`,
    );
  });
});
