import type { BoardColumn, LeadCard } from '@leadline/contracts';

const DAY_MS = 86_400_000;

/**
 * Whole days a card has gone without a recorded change or activity, when that passes its stage's
 * rotting threshold; null when it is not rotting. Same rule as the overview's rottingCount: open
 * stages with `rottingDays` only, measured from the card's last change on its own stream or the last
 * activity logged or completed on it (`touchedAt`).
 */
export function rottingFor(card: Pick<LeadCard, 'touchedAt'>, column: Pick<BoardColumn, 'rottingDays' | 'isWon' | 'isLost'>, now: number): number | null {
  if (column.isWon || column.isLost || column.rottingDays === null) return null;
  const idle = now - new Date(card.touchedAt).getTime();
  if (!Number.isFinite(idle) || idle <= column.rottingDays * DAY_MS) return null;
  return Math.floor(idle / DAY_MS);
}
