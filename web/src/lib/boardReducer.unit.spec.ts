import { describe, expect, it } from 'vitest';
import { applyChange, hasUnknownStage, mergePage, normalizeBoard, type BoardChange } from './boardReducer.ts';
import { card, columnOf, idsOf, leadId, sampleBoard, stageIds } from './boardFixtures.ts';

const change = (over: Partial<BoardChange>): BoardChange => ({ checkpoint: '0020', cards: [], removed: [], totals: [], ...over });

describe('normalizeBoard', () => {
  it('sorts columns by position and cards by (rank, id)', () => {
    const board = sampleBoard();
    const shuffled = { ...board, columns: [...board.columns].reverse().map((c) => ({ ...c, cards: [...c.cards].reverse() })) };
    const normal = normalizeBoard(shuffled);
    expect(normal.columns.map((c) => c.id)).toEqual([stageIds.new, stageIds.proposal, stageIds.lost]);
    expect(idsOf(normal, stageIds.new)).toEqual([leadId(1), leadId(2), leadId(3)]);
  });
});

describe('applyChange', () => {
  it('moves a card to its (rank, id) place in another column and takes totals from the server', () => {
    const next = applyChange(
      sampleBoard(),
      change({
        cards: [card(2, 'z', stageIds.proposal, { version: 2 })],
        totals: [
          { stageId: stageIds.new, count: 2, totalValue: 4000 },
          { stageId: stageIds.proposal, count: 2, totalValue: 6000 },
        ],
      }),
    );
    expect(idsOf(next, stageIds.new)).toEqual([leadId(1), leadId(3)]);
    expect(idsOf(next, stageIds.proposal)).toEqual([leadId(4), leadId(2)]);
    expect(columnOf(next, stageIds.proposal)).toMatchObject({ count: 2, totalValue: 6000 });
    expect(columnOf(next, stageIds.new)).toMatchObject({ count: 2, totalValue: 4000 });
    expect(next.checkpoint).toBe('0020');
  });

  it('re-places a card within its column when its rank changes', () => {
    const next = applyChange(sampleBoard(), change({ cards: [card(3, 'a0', stageIds.new)] }));
    expect(idsOf(next, stageIds.new)).toEqual([leadId(1), leadId(3), leadId(2)]);
  });

  it('orders equal ranks by id', () => {
    const next = applyChange(sampleBoard(), change({ cards: [card(9, 'b', stageIds.new), card(0, 'b', stageIds.new)] }));
    expect(idsOf(next, stageIds.new)).toEqual([leadId(1), leadId(0), leadId(2), leadId(9), leadId(3)]);
  });

  it('adds a card it has never seen', () => {
    const next = applyChange(sampleBoard(), change({ cards: [card(7, 'n', stageIds.proposal)] }));
    expect(idsOf(next, stageIds.proposal)).toEqual([leadId(4), leadId(7)]);
  });

  it('removes the ids the user may no longer see', () => {
    const next = applyChange(sampleBoard(), change({ removed: [leadId(1), leadId(4)] }));
    expect(idsOf(next, stageIds.new)).toEqual([leadId(2), leadId(3)]);
    expect(idsOf(next, stageIds.proposal)).toEqual([]);
  });

  it('ignores a change older than the board', () => {
    const board = sampleBoard('0030');
    expect(applyChange(board, change({ checkpoint: '0020', removed: [leadId(1)] }))).toBe(board);
  });

  it('applies a change at the board checkpoint (idempotent: it carries current state)', () => {
    const board = sampleBoard('0020');
    const once = applyChange(board, change({ cards: [card(1, 'a', stageIds.new, { dealValue: 5 })] }));
    expect(applyChange(once, change({ cards: [card(1, 'a', stageIds.new, { dealValue: 5 })] }))).toEqual(once);
  });

  it('does not mutate the board it was given', () => {
    const board = sampleBoard();
    const copy = structuredClone(board);
    applyChange(board, change({ cards: [card(1, 'z', stageIds.proposal)], removed: [leadId(2)], totals: [{ stageId: stageIds.new, count: 1, totalValue: 3000 }] }));
    expect(board).toEqual(copy);
  });

  it('keeps untouched columns by reference (cheap re-render)', () => {
    const board = sampleBoard();
    const next = applyChange(board, change({ cards: [card(1, 'a', stageIds.new, { dealValue: 1 })] }));
    expect(next.columns[1]).toBe(board.columns[1]);
    expect(next.columns[2]).toBe(board.columns[2]);
  });

  it('detects a card in a stage the board does not know', () => {
    const other = '00000000-0000-4000-8000-0000000000b9';
    expect(hasUnknownStage(sampleBoard(), change({ cards: [card(8, 'a', other)] }))).toBe(true);
    expect(hasUnknownStage(sampleBoard(), change({ cards: [card(8, 'a', stageIds.new)] }))).toBe(false);
  });
});

describe('mergePage', () => {
  it('appends the next page in order and takes its cursor', () => {
    const board = { ...sampleBoard(), columns: sampleBoard().columns.map((c) => (c.id === stageIds.new ? { ...c, nextCursor: 'c1', count: 5 } : c)) };
    const next = mergePage(board, { stageId: stageIds.new, cards: [card(5, 'd', stageIds.new), card(6, 'e', stageIds.new)], nextCursor: null, checkpoint: '0010', stale: false });
    expect(idsOf(next, stageIds.new)).toEqual([leadId(1), leadId(2), leadId(3), leadId(5), leadId(6)]);
    expect(columnOf(next, stageIds.new).nextCursor).toBeNull();
  });

  it('never duplicates a card that already arrived live', () => {
    let board = sampleBoard();
    board = applyChange(board, change({ cards: [card(5, 'd', stageIds.new)] }));
    const next = mergePage(board, { stageId: stageIds.new, cards: [card(5, 'd', stageIds.new), card(6, 'e', stageIds.new)], nextCursor: null, checkpoint: '0020', stale: false });
    expect(idsOf(next, stageIds.new)).toEqual([leadId(1), leadId(2), leadId(3), leadId(5), leadId(6)]);
  });

  it('does not bring back a card that moved live to another column', () => {
    let board = sampleBoard();
    board = applyChange(board, change({ cards: [card(5, 'a', stageIds.proposal)] }));
    const next = mergePage(board, { stageId: stageIds.new, cards: [card(5, 'd', stageIds.new)], nextCursor: null, checkpoint: '0010', stale: false });
    expect(idsOf(next, stageIds.new)).toEqual([leadId(1), leadId(2), leadId(3)]);
  });
});
