/**
 * Card ranks: strings of base-62 digits read as fractions 0.d1d2d3... Digits are in ASCII
 * order, so bytewise string order (JS `<`, SQL `COLLATE "C"`) is numeric order as long as
 * no rank ends in '0', which rankBetween guarantees.
 */
export const RANK_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = RANK_DIGITS.length;

const digitAt = (s: string, i: number): number => (i < s.length ? RANK_DIGITS.indexOf(s[i]) : 0);

export const isRank = (s: string): boolean => /^[0-9A-Za-z]*[1-9A-Za-z]$/.test(s);

/**
 * Strictly between lower and upper (null upper = 1.0), at the first digit with room. Where lower
 * has no more digits the midpoint rounds up: that leaves the extra slot below the result, where
 * repeated drops at the top of a column or just under one card keep landing.
 */
function midpoint(lower: string, upper: string | null): string | null {
  let result = '';
  let upperOpen = upper === null;
  const end = Math.max(lower.length, upper?.length ?? 0);
  for (let i = 0; ; i++) {
    if (!upperOpen && i >= end) return null;
    const lo = digitAt(lower, i);
    const hi = upperOpen ? BASE : digitAt(upper as string, i);
    if (hi - lo > 1) return result + RANK_DIGITS[Math.floor((lo + hi + (i >= lower.length ? 1 : 0)) / 2)];
    result += RANK_DIGITS[lo];
    // One apart: keeping lo here puts the result below upper whatever follows, so upper no longer bounds.
    if (hi - lo === 1) upperOpen = true;
  }
}

/**
 * A rank strictly between a and b (null a = the top, null b = the bottom of the column).
 * When a >= b (two cards tied by concurrent drops) it answers a rank just above a.
 */
export function rankBetween(a: string | null, b: string | null): string {
  if (a === null && b !== null && b.length > 1) return justBelow(b);
  const lower = a ?? '';
  if (b !== null && lower >= b) return justAbove(lower);
  const between = midpoint(lower, b);
  // Only reachable for inputs ending in '0' (equal as fractions): treat them as tied.
  return between ?? justAbove(lower);
}

function justAbove(a: string): string {
  // a and a+'1' differ in their last digit, so there is always room.
  return midpoint(a, `${a}1`) as string;
}

/**
 * The next rank below b at the top of a column (every new card lands there). Halving toward 0
 * would add a digit every ~6 cards (100,000 cards on top: 16,667-character ranks). Instead it
 * counts down through every rank of b's length not ending in 0, and when those run out (b is
 * 0…01) doubles the length: n cards on top need about 2·log62(n) digits.
 */
function justBelow(b: string): string {
  const d = [...b].map((c) => RANK_DIGITS.indexOf(c));
  do {
    let i = d.length - 1;
    while (i >= 0 && d[i] === 0) d[i--] = BASE - 1;
    if (i < 0) return '0'.repeat(b.length) + RANK_DIGITS[BASE - 1].repeat(b.length);
    d[i] -= 1;
  } while (d[d.length - 1] === 0);
  if (d.every((x) => x === 0)) return '0'.repeat(b.length) + RANK_DIGITS[BASE - 1].repeat(b.length);
  return d.map((x) => RANK_DIGITS[x]).join('');
}
