import type { Board, BoardColumn, LeadCard } from '@leadline/contracts';
import { findCard } from './boardReducer.ts';
import { hasReached } from './checkpoint.ts';
import { addMoney } from './money.ts';

/** A command sent (or about to be) whose effect the board shows before the server confirms it. */
export type PendingMove = {
  kind: 'move';
  opId: string;
  leadId: string;
  toStageId: string;
  afterLeadId?: string;
  beforeLeadId?: string;
  /** The command's answer: once the board reaches this checkpoint, the move is part of it. */
  acceptedAt?: string;
  acceptedVersion?: number;
};

export type PendingCreate = {
  kind: 'create';
  opId: string;
  card: LeadCard;
  acceptedAt?: string;
};

export type PendingOp = PendingMove | PendingCreate;

/** The weighted value moves with the stage's probability (the server's figure, which honours a lead's own probability, replaces it on confirmation). */
function withTotals(column: BoardColumn, cards: LeadCard[], countDelta: number, valueDelta: number): BoardColumn {
  return {
    ...column,
    cards,
    count: Math.max(0, column.count + countDelta),
    // A sum the server withheld (field permissions) stays absent.
    ...(column.totalValue === undefined ? {} : { totalValue: addMoney(column.totalValue, valueDelta) }),
    ...(column.weightedValue === undefined ? {} : { weightedValue: addMoney(column.weightedValue, Math.round(valueDelta * column.probability) / 100) }),
  };
}

function placeIndex(cards: readonly LeadCard[], op: PendingMove): number {
  const after = op.afterLeadId ? cards.findIndex((c) => c.id === op.afterLeadId) : -1;
  if (after >= 0) return after + 1;
  const before = op.beforeLeadId ? cards.findIndex((c) => c.id === op.beforeLeadId) : -1;
  if (before >= 0) return before;
  return op.afterLeadId && !op.beforeLeadId ? cards.length : 0;
}

function applyMove(board: Board, op: PendingMove): Board {
  const found = findCard(board, op.leadId);
  const target = board.columns.find((c) => c.id === op.toStageId);
  if (!found || !target) return board;
  const moved: LeadCard = { ...found.card, stageId: op.toStageId, version: Math.max(found.card.version, op.acceptedVersion ?? 0) };
  const value = moved.dealValue ?? 0;
  const sameColumn = found.column.id === target.id;
  const columns = board.columns.map((column) => {
    if (column.id === target.id) {
      const rest = column.cards.filter((c) => c.id !== op.leadId);
      const at = placeIndex(rest, op);
      const cards = [...rest.slice(0, at), moved, ...rest.slice(at)];
      return sameColumn ? { ...column, cards } : withTotals(column, cards, 1, value);
    }
    if (column.id === found.column.id) return withTotals(column, column.cards.filter((c) => c.id !== op.leadId), -1, -value);
    return column;
  });
  return { ...board, columns };
}

function applyCreate(board: Board, op: PendingCreate): Board {
  if (findCard(board, op.card.id)) return board;
  const columns = board.columns.map((column) =>
    column.id === op.card.stageId ? withTotals(column, [op.card, ...column.cards], 1, op.card.dealValue ?? 0) : column,
  );
  return { ...board, columns };
}

export function applyOp(board: Board, op: PendingOp): Board {
  switch (op.kind) {
    case 'move':
      return applyMove(board, op);
    case 'create':
      return applyCreate(board, op);
    default: {
      const _exhaustive: never = op;
      return _exhaustive;
    }
  }
}

/** What the user sees: the confirmed board with every pending command laid over it, in order. */
export function applyPending(board: Board, ops: readonly PendingOp[]): Board {
  return ops.reduce(applyOp, board);
}

/** Drops the commands the board already reflects (it reached their checkpoint). */
export function settle(board: Board, ops: readonly PendingOp[]): PendingOp[] {
  return ops.filter((op) => op.acceptedAt === undefined || !hasReached(board.checkpoint, op.acceptedAt));
}

/** Rolling back is forgetting the command: the board underneath, with whatever arrived live meanwhile, shows through. */
export function rollback(ops: readonly PendingOp[], opId: string): PendingOp[] {
  return ops.filter((op) => op.opId !== opId);
}

export function markAccepted(ops: readonly PendingOp[], opId: string, answer: { checkpoint: string; version: number }): PendingOp[] {
  return ops.map((op) => {
    if (op.opId !== opId) return op;
    return op.kind === 'move' ? { ...op, acceptedAt: answer.checkpoint, acceptedVersion: answer.version } : { ...op, acceptedAt: answer.checkpoint };
  });
}
