/**
 * Keys of the conversion projection's rollups (`read.conversion_entries`,
 * `read.conversion_stay_lengths`), shared by the projector that writes them and the query that reads
 * them: the owner key of the rows that count every owner (and unassigned leads), and the from key of
 * an entry that came from no stage (the lead was created there).
 */
export const CONVERSION_ALL_OWNERS = '00000000-0000-0000-0000-000000000000';
export const CONVERSION_NO_STAGE = '00000000-0000-0000-0000-000000000000';

/**
 * The scale of the stay-length histogram (`read.conversion_stay_lengths`), shared by the projector
 * that fills it and the query that reads percentiles from it. Bucket 0 holds stays under a minute;
 * bucket b >= 1 holds [60 s * e^((b-1)/STEPS), 60 s * e^(b/STEPS)): each bucket is ~5.1% wider than
 * the one before, so a percentile read at a bucket's geometric middle is within ±2.53% of the exact one.
 */
export const STAY_LENGTH_STEPS = 20;
const MINUTE = 60;

export function stayLengthBucket(seconds: number): number {
  if (!(seconds >= MINUTE)) return 0;
  return Math.floor(Math.log(seconds / MINUTE) * STAY_LENGTH_STEPS) + 1;
}

/** [lower, upper) of a bucket, in seconds. */
export function stayLengthBounds(bucket: number): [number, number] {
  if (bucket <= 0) return [0, MINUTE];
  return [MINUTE * Math.exp((bucket - 1) / STAY_LENGTH_STEPS), MINUTE * Math.exp(bucket / STAY_LENGTH_STEPS)];
}

/**
 * The p-quantile (0..1) of the stays counted in `histogram` (bucket → stays), as percentile_cont
 * computes it: the rank p * (n - 1) (0-based) interpolated linearly between the two stays around it.
 * Each stay counts as its bucket's middle (geometric above bucket 0), within half a bucket (2.53%)
 * of its true length, so the quantile is too (bucket 0, under a minute: within 30 s). null when the
 * histogram is empty.
 */
export function stayLengthQuantile(histogram: ReadonlyMap<number, number>, p: number): number | null {
  const buckets = [...histogram].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const nth = (k: number): number => {
    let before = 0;
    for (const [bucket, n] of buckets) {
      if (k < before + n) {
        const [lo, hi] = stayLengthBounds(bucket);
        return bucket === 0 ? (lo + hi) / 2 : Math.sqrt(lo * hi);
      }
      before += n;
    }
    throw new RangeError(`stay ${k} of ${total}`);
  };
  const rank = p * (total - 1);
  const below = Math.floor(rank);
  const low = nth(below);
  return rank === below ? low : low + (rank - below) * (nth(below + 1) - low);
}
