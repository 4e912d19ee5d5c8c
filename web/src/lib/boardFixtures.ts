import type { Board, BoardColumn, LeadCard } from '@leadline/contracts';

/** Deterministic ids so that (rank, id) ties order predictably in tests. */
export const stageIds = {
  new: '00000000-0000-4000-8000-0000000000a1',
  proposal: '00000000-0000-4000-8000-0000000000a2',
  lost: '00000000-0000-4000-8000-0000000000a3',
} as const;

export const pipelineId = '00000000-0000-4000-8000-0000000000f0';

export const leadId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function card(n: number, rank: string, stageId: string, extra: Partial<LeadCard> = {}): LeadCard {
  return {
    id: leadId(n),
    pipelineId,
    stageId,
    rank,
    firstName: `First${n}`,
    lastName: `Last${n}`,
    company: `Company ${n}`,
    dealValue: 1000 * n,
    ownerId: null,
    ownerName: null,
    version: 1,
    updatedAt: '2026-11-01T10:00:00.000Z',
    touchedAt: extra.updatedAt ?? '2026-11-01T10:00:00.000Z',
    ...extra,
  };
}

function column(id: string, name: string, order: number, cards: LeadCard[], extra: Partial<BoardColumn> = {}): BoardColumn {
  return {
    id,
    pipelineId,
    name,
    color: '#64748B',
    orderPosition: order,
    rottingDays: null,
    isActive: true,
    isWon: false,
    isLost: false,
    probability: 10,
    count: cards.length,
    totalValue: cards.reduce((n, c) => n + (c.dealValue ?? 0), 0),
    weightedValue: cards.reduce((n, c) => n + ((c.dealValue ?? 0) * 10) / 100, 0),
    cards,
    nextCursor: null,
    ...extra,
  };
}

/** New: 1 (a), 2 (b), 3 (c); Proposal: 4 (m); Lost: empty. */
export function sampleBoard(checkpoint = '0010'): Board {
  return {
    pipelineId,
    checkpoint,
    stale: false,
    columns: [
      column(stageIds.new, 'New', 0, [card(1, 'a', stageIds.new), card(2, 'b', stageIds.new), card(3, 'c', stageIds.new)]),
      column(stageIds.proposal, 'Proposal', 1, [card(4, 'm', stageIds.proposal)]),
      column(stageIds.lost, 'Lost', 2, [], { isLost: true, probability: 0 }),
    ],
  };
}

export const idsOf = (board: Board, stageId: string): string[] => board.columns.find((c) => c.id === stageId)?.cards.map((c) => c.id) ?? [];
export const columnOf = (board: Board, stageId: string): BoardColumn => {
  const found = board.columns.find((c) => c.id === stageId);
  if (!found) throw new Error(`no column ${stageId}`);
  return found;
};
