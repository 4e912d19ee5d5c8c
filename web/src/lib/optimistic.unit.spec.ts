import { describe, expect, it } from 'vitest';
import { applyChange } from './boardReducer.ts';
import { card, columnOf, idsOf, leadId, sampleBoard, stageIds } from './boardFixtures.ts';
import { applyPending, markAccepted, rollback, settle, type PendingOp } from './optimistic.ts';

const move = (over: Partial<Extract<PendingOp, { kind: 'move' }>>): PendingOp => ({ kind: 'move', opId: 'op1', leadId: leadId(2), toStageId: stageIds.proposal, ...over });

describe('optimistic move', () => {
  it('shows the card in its new column at once, with counts and sums adjusted', () => {
    const shown = applyPending(sampleBoard(), [move({ afterLeadId: leadId(4) })]);
    expect(idsOf(shown, stageIds.new)).toEqual([leadId(1), leadId(3)]);
    expect(idsOf(shown, stageIds.proposal)).toEqual([leadId(4), leadId(2)]);
    expect(columnOf(shown, stageIds.new)).toMatchObject({ count: 2, totalValue: 4000 });
    expect(columnOf(shown, stageIds.proposal)).toMatchObject({ count: 2, totalValue: 6000 });
    expect(columnOf(shown, stageIds.proposal).cards[1].stageId).toBe(stageIds.proposal);
  });

  it('places the card before its lower neighbour when dropped at the top', () => {
    const shown = applyPending(sampleBoard(), [move({ beforeLeadId: leadId(4) })]);
    expect(idsOf(shown, stageIds.proposal)).toEqual([leadId(2), leadId(4)]);
  });

  it('reorders within a column without touching totals', () => {
    const shown = applyPending(sampleBoard(), [move({ leadId: leadId(1), toStageId: stageIds.new, afterLeadId: leadId(2), beforeLeadId: leadId(3) })]);
    expect(idsOf(shown, stageIds.new)).toEqual([leadId(2), leadId(1), leadId(3)]);
    expect(columnOf(shown, stageIds.new)).toMatchObject({ count: 3, totalValue: 6000 });
  });

  it('rolls back to exactly the board before the drop', () => {
    const board = sampleBoard();
    const before = structuredClone(board);
    const ops = [move({ afterLeadId: leadId(4) })];
    expect(applyPending(board, ops)).not.toEqual(before);
    expect(applyPending(board, rollback(ops, 'op1'))).toEqual(before);
  });

  it('keeps what arrived live meanwhile when rolling back', () => {
    const ops = [move({ afterLeadId: leadId(4) })];
    const updated = applyChange(sampleBoard(), { checkpoint: '0011', cards: [card(7, 'n', stageIds.proposal)], removed: [], totals: [{ stageId: stageIds.proposal, count: 2, totalValue: 11000 }] });
    const shown = applyPending(updated, rollback(ops, 'op1'));
    expect(idsOf(shown, stageIds.proposal)).toEqual([leadId(4), leadId(7)]);
    expect(idsOf(shown, stageIds.new)).toEqual([leadId(1), leadId(2), leadId(3)]);
  });

  it('does not bring back a card that left the board while the move was pending', () => {
    const gone = applyChange(sampleBoard(), { checkpoint: '0011', cards: [], removed: [leadId(2)], totals: [] });
    const shown = applyPending(gone, [move({ afterLeadId: leadId(4) })]);
    expect(idsOf(shown, stageIds.proposal)).toEqual([leadId(4)]);
  });

  it('uses the accepted version for the next If-Match before the live change arrives', () => {
    const ops = markAccepted([move({})], 'op1', { checkpoint: '0015', version: 5 });
    const shown = applyPending(sampleBoard(), ops);
    expect(columnOf(shown, stageIds.proposal).cards.find((c) => c.id === leadId(2))?.version).toBe(5);
  });

  it('settles a move once the board reaches its checkpoint, not before', () => {
    const ops = markAccepted([move({})], 'op1', { checkpoint: '0015', version: 2 });
    expect(settle(sampleBoard('0014'), ops)).toHaveLength(1);
    expect(settle(sampleBoard('0015'), ops)).toHaveLength(0);
    expect(settle(sampleBoard('0099'), [move({})])).toHaveLength(1);
  });

  it('shows the confirmed card (new rank) once the live change settled the move', () => {
    let board = sampleBoard();
    let ops = markAccepted([move({ afterLeadId: leadId(4) })], 'op1', { checkpoint: '0015', version: 2 });
    board = applyChange(board, {
      checkpoint: '0015',
      cards: [card(2, 'n', stageIds.proposal, { version: 2 })],
      removed: [],
      totals: [
        { stageId: stageIds.new, count: 2, totalValue: 4000 },
        { stageId: stageIds.proposal, count: 2, totalValue: 6000 },
      ],
    });
    ops = settle(board, ops);
    expect(ops).toEqual([]);
    const shown = applyPending(board, ops);
    expect(columnOf(shown, stageIds.proposal)).toMatchObject({ count: 2, totalValue: 6000 });
    expect(columnOf(shown, stageIds.proposal).cards.map((c) => [c.id, c.rank])).toEqual([
      [leadId(4), 'm'],
      [leadId(2), 'n'],
    ]);
  });
});

describe('optimistic create', () => {
  const placeholder = card(9, '', stageIds.new, { dealValue: 500 });
  const create: PendingOp = { kind: 'create', opId: 'c1', card: placeholder };

  it('puts the new card at the top of its column with totals adjusted', () => {
    const shown = applyPending(sampleBoard(), [create]);
    expect(idsOf(shown, stageIds.new)[0]).toBe(leadId(9));
    expect(columnOf(shown, stageIds.new)).toMatchObject({ count: 4, totalValue: 6500 });
  });

  it('is not shown twice once the live change has brought the real card', () => {
    const board = applyChange(sampleBoard(), { checkpoint: '0012', cards: [card(9, '0', stageIds.new, { dealValue: 500 })], removed: [], totals: [{ stageId: stageIds.new, count: 4, totalValue: 6500 }] });
    const shown = applyPending(board, [create]);
    expect(idsOf(shown, stageIds.new).filter((id) => id === leadId(9))).toHaveLength(1);
    expect(columnOf(shown, stageIds.new)).toMatchObject({ count: 4, totalValue: 6500 });
  });

  it('disappears on rollback', () => {
    expect(applyPending(sampleBoard(), rollback([create], 'c1'))).toEqual(sampleBoard());
  });
});
