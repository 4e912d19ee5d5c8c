import { describe, expect, it } from 'vitest';
import { BULK_CONFIRM_AT, emptySelection, needsBulkConfirmation, pruneSelection, selectRange, toggleCard, toggleColumn } from './selection.ts';

const col = ['a', 'b', 'c', 'd', 'e'];
const ids = (s: { ids: ReadonlySet<string> }) => [...s.ids].sort();

describe('board selection', () => {
  it('toggles single cards and remembers the last clicked one as the anchor', () => {
    let s = toggleCard(emptySelection(), 'c1', 'b');
    s = toggleCard(s, 'c1', 'd');
    expect(ids(s)).toEqual(['b', 'd']);
    s = toggleCard(s, 'c1', 'b');
    expect(ids(s)).toEqual(['d']);
    expect(s.anchor).toEqual({ columnId: 'c1', leadId: 'b' });
  });

  it('shift-click selects the range from the anchor, in either direction, within one column', () => {
    let s = toggleCard(emptySelection(), 'c1', 'b');
    s = selectRange(s, 'c1', col, 'd');
    expect(ids(s)).toEqual(['b', 'c', 'd']);
    s = selectRange(toggleCard(emptySelection(), 'c1', 'e'), 'c1', col, 'c');
    expect(ids(s)).toEqual(['c', 'd', 'e']);
  });

  it('a shift-click in another column than the anchor is a plain toggle', () => {
    const s = selectRange(toggleCard(emptySelection(), 'c1', 'b'), 'c2', ['x', 'y'], 'y');
    expect(ids(s)).toEqual(['b', 'y']);
    expect(s.anchor).toEqual({ columnId: 'c2', leadId: 'y' });
  });

  it('select column selects all its cards, and clears them when all were selected', () => {
    let s = toggleColumn(toggleCard(emptySelection(), 'c2', 'x'), col);
    expect(ids(s)).toEqual(['a', 'b', 'c', 'd', 'e', 'x']);
    s = toggleColumn(s, col);
    expect(ids(s)).toEqual(['x']);
    expect(ids(toggleColumn(emptySelection(), []))).toEqual([]);
  });

  it('drops cards no longer shown, and the anchor with them', () => {
    const s = toggleCard(toggleCard(emptySelection(), 'c1', 'a'), 'c1', 'b');
    const pruned = pruneSelection(s, new Set(['a']));
    expect(ids(pruned)).toEqual(['a']);
    expect(pruned.anchor).toBeNull();
    expect(pruneSelection(s, new Set(['a', 'b']))).toBe(s);
  });
});

describe('bulk confirmation', () => {
  it('asks from BULK_CONFIRM_AT leads on, not below', () => {
    expect(needsBulkConfirmation(BULK_CONFIRM_AT - 1)).toBe(false);
    expect(needsBulkConfirmation(BULK_CONFIRM_AT)).toBe(true);
    expect(needsBulkConfirmation(1218)).toBe(true);
  });
});
