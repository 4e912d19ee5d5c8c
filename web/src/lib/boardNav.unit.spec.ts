import { describe, expect, it } from 'vitest';
import { nextCardId } from './boardNav.ts';

const board = [['a1', 'a2', 'a3'], [], ['c1'], ['d1', 'd2']];

describe('board arrow keys', () => {
  it('moves within a column and stops at its ends', () => {
    expect(nextCardId(board, 'a1', 'ArrowDown')).toBe('a2');
    expect(nextCardId(board, 'a1', 'ArrowUp')).toBeNull();
    expect(nextCardId(board, 'a3', 'ArrowDown')).toBeNull();
    expect(nextCardId(board, 'a2', 'End')).toBe('a3');
    expect(nextCardId(board, 'a3', 'Home')).toBe('a1');
  });
  it('jumps over empty columns, to the same height or the last card', () => {
    expect(nextCardId(board, 'a3', 'ArrowRight')).toBe('c1');
    expect(nextCardId(board, 'c1', 'ArrowRight')).toBe('d1');
    expect(nextCardId(board, 'd2', 'ArrowLeft')).toBe('c1');
    expect(nextCardId(board, 'c1', 'ArrowLeft')).toBe('a1');
    expect(nextCardId(board, 'd1', 'ArrowRight')).toBeNull();
  });
  it('knows nothing of a card that is not on the board', () => {
    expect(nextCardId(board, 'zz', 'ArrowDown')).toBeNull();
  });
});
