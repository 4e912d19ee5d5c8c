import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCards, insertSorted, sortCards } from './cardOrder.ts';
import { hasReached, isOlderCheckpoint, laterCheckpoint } from './checkpoint.ts';

describe('card order', () => {
  it('orders by rank, bytewise: digits before upper case before lower case', () => {
    const cards = [{ id: '1', rank: 'a' }, { id: '2', rank: 'Z' }, { id: '3', rank: '9' }, { id: '4', rank: 'Za' }];
    expect(sortCards(cards).map((c) => c.rank)).toEqual(['9', 'Z', 'Za', 'a']);
  });

  it('breaks rank ties by id', () => {
    const cards = [{ id: 'b', rank: 'm' }, { id: 'a', rank: 'm' }];
    expect(sortCards(cards).map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('does not use locale collation (which would put "a" before "B")', () => {
    expect(compareCards({ id: '1', rank: 'B' }, { id: '2', rank: 'a' })).toBeLessThan(0);
  });

  it('insertSorted keeps any sorted list sorted', () => {
    const ranked = fc.record({ id: fc.string({ maxLength: 4 }), rank: fc.string({ maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(ranked, { maxLength: 20 }), ranked, (list, extra) => {
        const sorted = sortCards(list);
        expect(insertSorted(sorted, extra)).toEqual(sortCards([...list, extra]));
      }),
    );
  });
});

describe('checkpoints', () => {
  it('compares fixed-width checkpoints as strings', () => {
    expect(isOlderCheckpoint('0009', '0010')).toBe(true);
    expect(isOlderCheckpoint('0010', '0010')).toBe(false);
    expect(isOlderCheckpoint('', '0001')).toBe(true);
    expect(laterCheckpoint('0011', '0010')).toBe('0011');
    expect(hasReached('0010', '0010')).toBe(true);
    expect(hasReached('0009', '0010')).toBe(false);
  });
});
