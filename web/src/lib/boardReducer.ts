import type { Board, BoardColumn, LeadCard, ServerMessage } from '@leadline/contracts';
import { insertSorted, sortCards } from './cardOrder.ts';
import { isOlderCheckpoint, laterCheckpoint } from './checkpoint.ts';

export type BoardChange = Pick<Extract<ServerMessage, { type: 'change' }>, 'checkpoint' | 'cards' | 'removed' | 'totals'>;
export type ColumnPage = { stageId: string; cards: LeadCard[]; nextCursor: string | null; checkpoint: string; stale: boolean };

/** The board as the server answered it, with every column in (rank, id) order. */
export function normalizeBoard(board: Board): Board {
  const columns = [...board.columns].sort((a, b) => a.orderPosition - b.orderPosition).map((c) => ({ ...c, cards: sortCards(c.cards) }));
  return { ...board, columns };
}

export function findCard(board: Board, leadId: string): { column: BoardColumn; card: LeadCard; index: number } | null {
  for (const column of board.columns) {
    const index = column.cards.findIndex((c) => c.id === leadId);
    if (index >= 0) return { column, card: column.cards[index], index };
  }
  return null;
}

/** True when the change names a stage the board does not have (a stage added since it loaded): reload. */
export function hasUnknownStage(board: Board, change: BoardChange): boolean {
  const known = new Set(board.columns.map((c) => c.id));
  return change.cards.some((c) => !known.has(c.stageId)) || change.totals.some((t) => !known.has(t.stageId));
}

/**
 * Applies a live `change`: each card is upserted at its (rank, id) place in its stage's column
 * (and taken out of any other), `removed` ids leave the board, and column totals come from the
 * server. A change older than the board is ignored: the board already holds something newer.
 */
export function applyChange(board: Board, change: BoardChange): Board {
  if (isOlderCheckpoint(change.checkpoint, board.checkpoint)) return board;
  const leaving = new Set([...change.removed, ...change.cards.map((c) => c.id)]);
  const arriving = new Map<string, LeadCard[]>();
  for (const card of change.cards) arriving.set(card.stageId, [...(arriving.get(card.stageId) ?? []), card]);
  const totals = new Map(change.totals.map((t) => [t.stageId, t]));

  const columns = board.columns.map((column) => {
    const incoming = arriving.get(column.id);
    const total = totals.get(column.id);
    const touched = incoming || total || column.cards.some((c) => leaving.has(c.id));
    if (!touched) return column;
    let cards = column.cards.filter((c) => !leaving.has(c.id));
    for (const card of incoming ?? []) cards = insertSorted(cards, card);
    return {
      ...column,
      cards,
      count: total?.count ?? column.count,
      totalValue: total?.totalValue ?? column.totalValue,
      weightedValue: total?.weightedValue ?? column.weightedValue,
    };
  });
  return { ...board, columns, checkpoint: laterCheckpoint(board.checkpoint, change.checkpoint) };
}

/**
 * Appends the next page of a column. A card already on the board (it arrived live while the page
 * was in flight) is never added twice; the rest merge in (rank, id) order.
 */
export function mergePage(board: Board, page: ColumnPage): Board {
  const present = new Set(board.columns.flatMap((c) => c.cards.map((card) => card.id)));
  const columns = board.columns.map((column) => {
    if (column.id !== page.stageId) return column;
    let cards = column.cards;
    for (const card of page.cards) if (!present.has(card.id) && card.stageId === column.id) cards = insertSorted(cards, card);
    return { ...column, cards, nextCursor: page.nextCursor };
  });
  return { ...board, columns };
}
