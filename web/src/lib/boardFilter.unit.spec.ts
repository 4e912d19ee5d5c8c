import { describe, expect, it } from 'vitest';
import { filterFromQuery, filterParams, hasFilter, queryWithFilter } from './boardFilter.ts';
import { rottingFor } from './rotting.ts';

describe('board filters in the URL', () => {
  it('reads every filter from the route query and writes it back under the same keys', () => {
    const filter = filterFromQuery({ owner: 'none', source: ' Web ', min: '100', max: '5000', q: 'acme', pipeline: 'p' });
    expect(filter).toEqual({ ownerId: 'none', source: 'Web', minValue: 100, maxValue: 5000, q: 'acme' });
    expect(queryWithFilter({ pipeline: 'p', asOf: undefined }, filter)).toEqual({ pipeline: 'p', asOf: undefined, owner: 'none', source: 'Web', min: '100', max: '5000', q: 'acme' });
    expect(filterParams(filter)).toEqual({ ownerId: 'none', source: 'Web', minValue: 100, maxValue: 5000, q: 'acme' });
  });

  it('drops values that make no sense instead of sending them', () => {
    expect(filterFromQuery({ min: 'abc', max: '-3', q: '   ', owner: ['a'] })).toEqual({});
    expect(filterFromQuery({ min: '500', max: '100' })).toEqual({ minValue: 500 });
    expect(hasFilter({})).toBe(false);
    expect(hasFilter({ minValue: 0 })).toBe(true);
  });

  it('clearing a filter removes its key from the URL', () => {
    expect(queryWithFilter({ owner: 'x', q: 'y', pipeline: 'p' }, {})).toEqual({ pipeline: 'p', owner: undefined, source: undefined, min: undefined, max: undefined, q: undefined });
  });
});

describe('rotting badge', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  const open = { rottingDays: 7, isWon: false, isLost: false };
  it('flags a card idle for longer than its stage threshold, with whole idle days', () => {
    expect(rottingFor({ touchedAt: '2026-03-01T12:00:00Z' }, open, now)).toBe(9);
    expect(rottingFor({ touchedAt: '2026-03-03T12:00:00Z' }, open, now)).toBeNull(); // exactly 7 days: not yet
    expect(rottingFor({ touchedAt: '2026-03-03T11:59:00Z' }, open, now)).toBe(7);
  });
  it('never flags won or lost cards or stages without a threshold', () => {
    const old = { touchedAt: '2025-01-01T00:00:00Z' };
    expect(rottingFor(old, { ...open, isWon: true }, now)).toBeNull();
    expect(rottingFor(old, { ...open, isLost: true }, now)).toBeNull();
    expect(rottingFor(old, { ...open, rottingDays: null }, now)).toBeNull();
  });
});
