import { describe, expect, it } from 'vitest';
import { isRank, rankBetween } from './rank.ts';

describe('rankBetween at the top of a column', () => {
  it('keeps ranks short when 100,000 cards are put on top one after another', () => {
    let top: string | null = null;
    let longest = 0;
    for (let i = 0; i < 100_000; i++) {
      const next = rankBetween(null, top);
      if (top !== null) expect(next < top).toBe(true);
      expect(isRank(next)).toBe(true);
      longest = Math.max(longest, next.length);
      top = next;
    }
    // Halving toward 0 reached 16,667 characters here.
    expect(longest).toBeLessThanOrEqual(8);
  });

  it('counts down at the last digit, skipping ranks that end in 0, and doubles the length when 0…01 is reached', () => {
    expect(rankBetween(null, 'V')).toBe('G');
    expect(rankBetween(null, '1')).toBe('0V');
    expect(rankBetween(null, '0z')).toBe('0y');
    expect(rankBetween(null, '0B1')).toBe('0Az');
    expect(rankBetween(null, '01')).toBe('00zz');
    expect(rankBetween(null, 'G1')).toBe('Fz');
  });
});
