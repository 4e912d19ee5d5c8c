import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neighboursAt } from './neighbours.ts';

const ids = (...names: string[]) => names.map((id) => ({ id }));

describe('neighboursAt', () => {
  it('names both cards around a drop in the middle of another column', () => {
    expect(neighboursAt(ids('a', 'b', 'c'), 1, 'x')).toEqual({ afterLeadId: 'a', beforeLeadId: 'b' });
  });

  it('has only a card below when dropped at the top', () => {
    expect(neighboursAt(ids('a', 'b'), 0, 'x')).toEqual({ beforeLeadId: 'a' });
  });

  it('has only a card above when dropped at the bottom', () => {
    expect(neighboursAt(ids('a', 'b'), 2, 'x')).toEqual({ afterLeadId: 'b' });
  });

  it('has no neighbours in an empty column', () => {
    expect(neighboursAt([], 0, 'x')).toEqual({});
  });

  it('ignores the moved card itself when it moves down within its column', () => {
    // a x b c -> x lands at index 2 of the final list a b x c
    expect(neighboursAt(ids('a', 'x', 'b', 'c'), 2, 'x')).toEqual({ afterLeadId: 'b', beforeLeadId: 'c' });
  });

  it('ignores the moved card itself when it moves up within its column', () => {
    // a b x -> x lands at index 0: x a b
    expect(neighboursAt(ids('a', 'b', 'x'), 0, 'x')).toEqual({ beforeLeadId: 'a' });
  });

  it('clamps an index past the end', () => {
    expect(neighboursAt(ids('a'), 5, 'x')).toEqual({ afterLeadId: 'a' });
  });

  it('always names the cards that end up adjacent to the moved card', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 8 }), fc.nat(10), fc.boolean(), (names, rawIndex, inColumn) => {
        const moved = '#moved';
        const column = inColumn ? [...names.slice(0, 2), moved, ...names.slice(2)] : names;
        const others = column.filter((n) => n !== moved);
        const index = Math.min(rawIndex, others.length);
        const final = [...others.slice(0, index), moved, ...others.slice(index)];
        const at = final.indexOf(moved);
        const result = neighboursAt(ids(...column), index, moved);
        expect(result.afterLeadId).toBe(final[at - 1]);
        expect(result.beforeLeadId).toBe(final[at + 1]);
      }),
    );
  });
});
