import { describe, expect, it } from 'vitest';
import { stayLengthBounds, stayLengthBucket, stayLengthQuantile } from './conversionRollups.ts';

const exactQuantile = (values: number[], p: number) => {
  const v = [...values].sort((a, b) => a - b);
  const rank = p * (v.length - 1);
  const lo = Math.floor(rank);
  return lo === rank ? v[lo] : v[lo] + (rank - lo) * (v[lo + 1] - v[lo]);
};

describe('stay length histogram', () => {
  it('puts every length in the bucket whose bounds hold it', () => {
    for (const seconds of [0, 1, 59.9, 60, 61, 3_600, 86_400, 7 * 86_400, 400 * 86_400]) {
      const [lo, hi] = stayLengthBounds(stayLengthBucket(seconds));
      expect(seconds).toBeGreaterThanOrEqual(lo - 1e-6);
      expect(seconds).toBeLessThan(hi);
    }
    expect(stayLengthBucket(-5)).toBe(0);
    expect(stayLengthBucket(Number.NaN)).toBe(0);
  });

  it('reads quantiles within 2.6% of percentile_cont, from one stay to many', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (const n of [1, 2, 3, 7, 50, 5_000]) {
      const values = Array.from({ length: n }, () => 120 + random() ** 3 * 60 * 86_400);
      const histogram = new Map<number, number>();
      for (const v of values) histogram.set(stayLengthBucket(v), (histogram.get(stayLengthBucket(v)) ?? 0) + 1);
      for (const p of [0, 0.5, 0.9, 1]) {
        const exact = exactQuantile(values, p);
        expect(Math.abs(stayLengthQuantile(histogram, p)! - exact) / exact, `n=${n} p=${p}`).toBeLessThanOrEqual(0.026);
      }
    }
    expect(stayLengthQuantile(new Map(), 0.5)).toBeNull();
  });
});
