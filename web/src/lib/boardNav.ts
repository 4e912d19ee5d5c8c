/**
 * Arrow keys on the board: up and down move within a column, left and right to the nearest column
 * that has cards, at the same height or the last card if it is shorter. Home and End go to the
 * column's first and last card. Pure: the board page turns the answer into a focus().
 */
export type NavKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight' | 'Home' | 'End';

export const isNavKey = (key: string): key is NavKey => ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(key);

export function nextCardId(columns: readonly (readonly string[])[], currentId: string, key: NavKey): string | null {
  const col = columns.findIndex((c) => c.includes(currentId));
  if (col < 0) return null;
  const row = columns[col].indexOf(currentId);
  switch (key) {
    case 'ArrowUp':
      return columns[col][row - 1] ?? null;
    case 'ArrowDown':
      return columns[col][row + 1] ?? null;
    case 'Home':
      return columns[col][0] ?? null;
    case 'End':
      return columns[col].at(-1) ?? null;
    case 'ArrowLeft':
    case 'ArrowRight': {
      const step = key === 'ArrowLeft' ? -1 : 1;
      for (let c = col + step; c >= 0 && c < columns.length; c += step) {
        if (columns[c].length) return columns[c][Math.min(row, columns[c].length - 1)];
      }
      return null;
    }
  }
}
