import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RANK_DIGITS, isRank, rankBetween } from './rank.ts';

const rank = fc
  .array(fc.constantFrom(...RANK_DIGITS), { minLength: 1, maxLength: 12 })
  .map((d) => d.join(''))
  .filter(isRank);

describe('rankBetween', () => {
  it('takes the midpoint at the first digit with room', () => {
    expect(rankBetween(null, null)).toBe('V');
    expect(rankBetween(null, 'V')).toBe('G');
    expect(rankBetween('V', null)).toBe('k');
    expect(rankBetween('A', 'C')).toBe('B');
    expect(rankBetween('1', '12')).toBe('11');
    expect(rankBetween('1', '2')).toBe('1V');
    expect(rankBetween('1', '11')).toBe('10V');
    expect(rankBetween('z', null)).toBe('zV');
  });

  it('answers a rank just above a when a >= b (a tie from concurrent drops)', () => {
    const r = rankBetween('M', 'M');
    expect(r > 'M').toBe(true);
    expect(r < 'M1').toBe(true);
    expect(rankBetween('N', 'M') > 'N').toBe(true);
  });

  it('is strictly between a and b, never ends in 0', () => {
    fc.assert(
      fc.property(rank, rank, (x, y) => {
        fc.pre(x !== y);
        const [a, b] = x < y ? [x, y] : [y, x];
        const r = rankBetween(a, b);
        expect(a < r && r < b).toBe(true);
        expect(isRank(r)).toBe(true);
        expect(r.length).toBeLessThanOrEqual(Math.max(a.length, b.length) + 1);
      }),
      { numRuns: 2000 },
    );
  });

  it('works against open ends', () => {
    fc.assert(
      fc.property(rank, (a) => {
        const above = rankBetween(null, a);
        const below = rankBetween(a, null);
        expect(above < a && isRank(above)).toBe(true);
        expect(below > a && isRank(below)).toBe(true);
      }),
    );
  });

  it('stays ordered and short when inserting 1,000 times at the same place', () => {
    for (const side of ['top', 'bottom', 'after-first', 'before-last'] as const) {
      let lo: string | null = side === 'after-first' ? 'V' : null;
      let hi: string | null = side === 'before-last' ? 'V' : side === 'after-first' ? 'k' : null;
      const ranks: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const r = rankBetween(lo, hi);
        if (lo !== null) expect(r > lo).toBe(true);
        if (hi !== null) expect(r < hi).toBe(true);
        ranks.push(r);
        // top / after-first: the next card lands just above this one; bottom / before-last: just below.
        if (side === 'bottom' || side === 'before-last') lo = r;
        else hi = r;
      }
      expect(Math.max(...ranks.map((r) => r.length))).toBeLessThan(200);
      expect(new Set(ranks).size).toBe(1000);
    }
  });
});
