import { describe, expect, it } from 'vitest';
import { cp } from '../testing/readModel.ts';
import { OwnerIndex, UNASSIGNED } from './ownerIndex.ts';

const rita = '11111111-1111-4111-8111-111111111111';
const oscar = '22222222-2222-4222-8222-222222222222';
const lead = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

describe('OwnerIndex', () => {
  it('knows the owner before a change from the notice that set it', () => {
    const index = new OwnerIndex();
    index.record(lead, rita, cp(5));
    expect(index.prior(lead, cp(6))).toEqual({ owner: rita });
    expect(index.wasOwnedByAny({ owner: rita }, [rita, UNASSIGNED], cp(6))).toBe(true);
    expect(index.wasOwnedByAny({ owner: oscar }, [rita, UNASSIGNED], cp(6))).toBe(false);
    expect(index.wasOwnedByAny({ owner: null }, [rita, UNASSIGNED], cp(6))).toBe(true);
  });

  it('rules a key out for an unknown lead only after that key was seeded before the notice', () => {
    const index = new OwnerIndex();
    expect(index.prior(lead, cp(6))).toBe('unknown');
    expect(index.wasOwnedByAny('unknown', [rita], cp(6))).toBe(true);
    index.seed(rita, [], cp(5));
    expect(index.wasOwnedByAny('unknown', [rita], cp(6))).toBe(false);
    // A notice already included in the seed's snapshot: the seed tells the owner after it, not before.
    expect(index.wasOwnedByAny('unknown', [rita], cp(5))).toBe(true);
    expect(index.wasOwnedByAny('unknown', [rita, UNASSIGNED], cp(6))).toBe(true);
  });

  it('takes seeded owners as facts at the seed checkpoint, without overriding notices', () => {
    const index = new OwnerIndex();
    index.record(lead, oscar, cp(7));
    index.seed(rita, [lead], cp(8));
    expect(index.prior(lead, cp(9))).toEqual({ owner: oscar });
    const other = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
    index.seed(UNASSIGNED, [other], cp(8));
    expect(index.prior(other, cp(8))).toBe('unknown');
    expect(index.prior(other, cp(9))).toEqual({ owner: null });
  });

  it('forgets everything when it grows beyond its capacity, and then answers maybe', () => {
    const index = new OwnerIndex(2);
    index.seed(rita, [], cp(1));
    index.record('a', rita, cp(2));
    index.record('b', rita, cp(2));
    index.record('c', rita, cp(2));
    expect(index.isSeeded(rita)).toBe(false);
    expect(index.prior('a', cp(3))).toBe('unknown');
    expect(index.wasOwnedByAny('unknown', [rita], cp(3))).toBe(true);
  });
});
