import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LEADLINE_STREAM_CATEGORIES, categoryOf, matchesSelection, serverFilter } from './filter.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const selection = { categories: LEADLINE_STREAM_CATEGORIES };

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'testing' || d.name === 'test-support' ? [] : sourceFiles(full);
    return d.name.endsWith('.ts') && !d.name.includes('.spec.') ? [full] : [];
  });
}

describe('the $all filter', () => {
  it('asks the server for our stream prefixes, dash included', () => {
    const filter = serverFilter(selection);
    expect(filter).toMatchObject({ filterOn: 'streamName', prefixes: LEADLINE_STREAM_CATEGORIES.map((c) => `${c}-`) });
    expect(() => serverFilter({ categories: [] })).toThrow();
    expect(() => serverFilter({ categories: ['a-b'] })).toThrow(/Invalid stream category/);
  });

  it('keeps our events and drops system streams, system events and other applications', () => {
    expect(matchesSelection(selection, 'lead-123', 'LeadCreated')).toBe(true);
    expect(matchesSelection(selection, 'useremail-abc', 'EmailReserved')).toBe(true);
    expect(matchesSelection(selection, '$$lead-123', '$metadata')).toBe(false);
    expect(matchesSelection(selection, '$ce-lead', '$>')).toBe(false);
    expect(matchesSelection(selection, '$stats-127.0.0.1:2113', '$statsCollected')).toBe(false);
    expect(matchesSelection(selection, 'lead-123', '$>')).toBe(false);
    expect(matchesSelection(selection, 'leads-123', 'X')).toBe(false);
    expect(matchesSelection(selection, 'invoice-9', 'InvoiceSent')).toBe(false);
    expect(categoryOf('useremail-ab-cd')).toBe('useremail');
  });

  it('lists every stream category the command service writes to', () => {
    // Stream names are built as `<category>-${id}`; one missing here would be invisible to the projector on EventStoreDB.
    const found = new Set<string>();
    for (const file of sourceFiles(path.join(repoRoot, 'services/command/src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/`([a-z][a-z0-9_]*)-\$\{/g)) found.add(m[1]);
      for (const m of text.matchAll(/streamId\(\s*'([a-z0-9_]+)'/g)) found.add(m[1]);
    }
    expect(found.size).toBeGreaterThan(0);
    expect([...found].filter((c) => !LEADLINE_STREAM_CATEGORIES.includes(c))).toEqual([]);
  });
});
