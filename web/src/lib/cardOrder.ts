import type { LeadCard } from '@leadline/contracts';

type Ranked = Pick<LeadCard, 'id' | 'rank'>;

/** Column order: rank, then id, both compared bytewise (the same order as `COLLATE "C"` on the server). */
export function compareCards(a: Ranked, b: Ranked): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

export function sortCards<T extends Ranked>(cards: readonly T[]): T[] {
  return [...cards].sort(compareCards);
}

/** Inserts into an already sorted list at the card's (rank, id) place; returns a new list. */
export function insertSorted<T extends Ranked>(cards: readonly T[], card: T): T[] {
  let lo = 0;
  let hi = cards.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareCards(cards[mid], card) < 0) lo = mid + 1;
    else hi = mid;
  }
  return [...cards.slice(0, lo), card, ...cards.slice(lo)];
}
