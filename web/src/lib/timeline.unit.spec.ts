import type { TimelineEntry } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { actorText, formatChangeValue, formatSummary, mergeEntries, relativeTime } from './timeline.ts';

const entry = (id: string, position: string, kind: TimelineEntry['kind'] = 'note', summary = id): TimelineEntry => ({
  id, kind, eventType: 'ActivityLogged', at: '2026-11-01T10:00:00.000Z', position, actorId: 'u', actorName: null, summary, changes: [], activity: null, raw: null,
});

describe('relativeTime', () => {
  const now = new Date('2026-11-10T12:00:00.000Z');
  it('speaks like a person, past and future', () => {
    expect(relativeTime('2026-11-10T11:59:50.000Z', now)).toBe('just now');
    expect(relativeTime('2026-11-10T11:55:00.000Z', now)).toBe('5 min ago');
    expect(relativeTime('2026-11-10T09:00:00.000Z', now)).toBe('3 h ago');
    expect(relativeTime('2026-11-09T12:00:00.000Z', now)).toBe('yesterday');
    expect(relativeTime('2026-11-06T12:00:00.000Z', now)).toBe('4 days ago');
    expect(relativeTime('2026-11-10T14:00:00.000Z', now)).toBe('in 2 h');
  });
});

describe('mergeEntries', () => {
  it('replaces entries by id and keeps newest first', () => {
    const merged = mergeEntries([entry('a', '02'), entry('b', '01')], [entry('c', '03'), entry('b', '01', 'note', 'b edited')]);
    expect(merged.map((e) => [e.id, e.summary])).toEqual([['c', 'c'], ['a', 'a'], ['b', 'b edited']]);
  });
  it('drops incoming entries outside the active filter', () => {
    expect(mergeEntries([], [entry('a', '01', 'stage'), entry('b', '02', 'call')], ['call']).map((e) => e.id)).toEqual(['b']);
  });
});

describe('relativeTime of entries already logged', () => {
  const now = new Date('2026-12-03T10:00:00Z');
  it('says "just now" for an entry stamped a little ahead of the browser clock, never "in a moment"', () => {
    expect(relativeTime('2026-12-03T10:00:20Z', now)).toBe('just now');
    expect(relativeTime('2026-12-03T10:00:55Z', now)).toBe('just now');
    expect(relativeTime('2026-12-03T09:59:30Z', now)).toBe('just now');
  });
  it('still speaks of the future for what is scheduled later', () => {
    expect(relativeTime('2026-12-03T10:05:00Z', now)).toBe('in 5 min');
    expect(relativeTime('2026-12-03T09:55:00Z', now)).toBe('5 min ago');
  });
});

describe('formatChangeValue', () => {
  const ctx = { currency: 'USD', stageName: (id: string) => (id === 's1' ? 'Proposal' : undefined) };
  it('formats values as the UI shows the field, not raw', () => {
    expect(formatChangeValue('dealValue', '45000', ctx)).toBe(new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(45000));
    expect(formatChangeValue('probability', '40', ctx)).toBe('40%');
    expect(formatChangeValue('expectedCloseDate', '2026-12-24', ctx)).toBe(new Date(2026, 11, 24).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }));
    expect(formatChangeValue('stageId', 's1', ctx)).toBe('Proposal');
    expect(formatChangeValue('stageId', 'gone', ctx)).toBe('another stage');
    expect(formatChangeValue('company', 'Acme', ctx)).toBe('Acme');
    expect(formatChangeValue('company', null, ctx)).toBeNull();
  });
});

describe('relativeTime of what already happened ({ logged: true })', () => {
  const now = new Date('2026-12-03T10:00:00Z');
  it('reads a time minutes ahead of this clock as skew: "just now", not the future', () => {
    expect(relativeTime('2026-12-03T10:03:00Z', now, { logged: true })).toBe('just now');
    expect(relativeTime('2026-12-03T10:03:00Z', now)).toBe('in 3 min');
    expect(relativeTime('2026-12-03T09:57:00Z', now, { logged: true })).toBe('3 min ago');
  });
});

describe('formatSummary and actorText', () => {
  it('shows a won amount as money, leaves other summaries alone', () => {
    const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(45000);
    expect(formatSummary({ kind: 'stage', summary: 'Won (45000): moved to Won' }, 'EUR')).toBe(`Won (${money}): moved to Won`);
    expect(formatSummary({ kind: 'note', summary: 'Won (45000): a note subject' }, 'EUR')).toBe('Won (45000): a note subject');
  });
  it('names the actor, never shows a bare id', () => {
    const names = (id: string) => (id === '11111111-1111-4111-8111-111111111111' ? 'Rita Rep' : undefined);
    expect(actorText({ actorId: 'x', actorName: 'Ana' }, names)).toBe('Ana');
    expect(actorText({ actorId: '11111111-1111-4111-8111-111111111111', actorName: null }, names)).toBe('Rita Rep');
    expect(actorText({ actorId: '22222222-2222-4222-8222-222222222222', actorName: null }, names)).toBe('a removed user');
    expect(actorText({ actorId: 'router', actorName: null }, names)).toBe('Router (automatic)');
  });
});
