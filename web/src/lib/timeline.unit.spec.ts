import type { TimelineEntry } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { mergeEntries, relativeTime } from './timeline.ts';

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
