import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { START, compareCheckpoints } from '../port.ts';
import {
  comparePositions,
  decodeEsdbCheckpoint,
  encodeEsdbCheckpoint,
  fromEsdbMetadata,
  revisionAfterVersion,
  toEsdbMetadata,
  toExpectedRevision,
  toStoredEvent,
  versionOfCurrent,
  versionOfRevision,
} from './mapping.ts';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 2n });

describe('expected version ↔ expected revision', () => {
  it('maps the port versions (event counts) to revisions (version - 1)', () => {
    expect(toExpectedRevision('any')).toBe('any');
    expect(toExpectedRevision('no_stream')).toBe('no_stream');
    expect(toExpectedRevision(0)).toBe('no_stream');
    expect(toExpectedRevision(1)).toBe(0n);
    expect(toExpectedRevision(42)).toBe(41n);
    expect(() => toExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toExpectedRevision(1.5)).toThrow(RangeError);
  });

  it('maps revisions back to versions, and a missing stream to 0', () => {
    expect(versionOfRevision(0n)).toBe(1);
    expect(versionOfRevision(41n)).toBe(42);
    expect(versionOfCurrent('no_stream')).toBe(0);
    expect(versionOfCurrent(-1n)).toBe(0);
    expect(versionOfCurrent(4n)).toBe(5);
    expect(() => versionOfRevision(BigInt(Number.MAX_SAFE_INTEGER))).toThrow(RangeError);
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 40 }), (v) => versionOfRevision(toExpectedRevision(v) as bigint) === v));
  });

  it('reads after a version from the revision equal to it', () => {
    expect(revisionAfterVersion(0)).toBe(0n);
    expect(revisionAfterVersion(3)).toBe(3n); // events 1..3 are revisions 0..2
  });
});

describe('positions ↔ checkpoints', () => {
  it('encodes (commit, prepare) as 40 digits and decodes them back', () => {
    const cp = encodeEsdbCheckpoint({ commit: 1234n, prepare: 1200n });
    expect(cp).toBe('00000000000000001234' + '00000000000000001200');
    expect(decodeEsdbCheckpoint(cp)).toEqual({ commit: 1234n, prepare: 1200n });
    expect(decodeEsdbCheckpoint(START)).toBeNull();
    expect(() => decodeEsdbCheckpoint('12')).toThrow(/Invalid checkpoint/);
    expect(() => decodeEsdbCheckpoint('9'.repeat(40))).toThrow(/Invalid checkpoint/);
    expect(() => encodeEsdbCheckpoint({ commit: -1n, prepare: 0n })).toThrow(RangeError);
    expect(typeof cp).toBe('string');
    expect(JSON.stringify({ cp })).toContain(cp); // nothing bigint crosses the adapter
  });

  it('round-trips every position', () => {
    fc.assert(fc.property(u64, u64, (commit, prepare) => {
      const back = decodeEsdbCheckpoint(encodeEsdbCheckpoint({ commit, prepare }));
      return back !== null && back.commit === commit && back.prepare === prepare;
    }));
  });

  it('orders checkpoints lexically exactly as positions are ordered, START first', () => {
    fc.assert(fc.property(u64, u64, u64, u64, (c1, p1, c2, p2) => {
      const a = { commit: c1, prepare: p1 };
      const b = { commit: c2, prepare: p2 };
      return compareCheckpoints(encodeEsdbCheckpoint(a), encodeEsdbCheckpoint(b)) === comparePositions(a, b)
        && compareCheckpoints(START, encodeEsdbCheckpoint(a)) === -1;
    }));
    // the digit-count boundary where text-vs-number ordering bugs show
    expect(compareCheckpoints(encodeEsdbCheckpoint({ commit: 9999n, prepare: 9999n }), encodeEsdbCheckpoint({ commit: 10000n, prepare: 10000n }))).toBe(-1);
  });
});

describe('metadata', () => {
  it('adds $correlationId and $causationId on write and gives back exactly what was appended', () => {
    const ours = { eventId: 'e', commandId: 'c', correlationId: 'r', causationId: 'c', actorId: 'u', occurredAt: '2025-01-01T00:00:00.000Z', schemaVersion: 1 };
    const written = toEsdbMetadata(ours);
    expect(written).toMatchObject({ $correlationId: 'r', $causationId: 'c' });
    expect(fromEsdbMetadata(written)).toEqual(ours);
  });

  it('falls back to the command id, and adds nothing when there is neither', () => {
    expect(toEsdbMetadata({ commandId: 'c' })).toEqual({ commandId: 'c', $correlationId: 'c', $causationId: 'c' });
    expect(toEsdbMetadata({ actorId: 'u' })).toEqual({ actorId: 'u' });
    expect(fromEsdbMetadata(undefined)).toEqual({});
    expect(fromEsdbMetadata(new Uint8Array([1]))).toEqual({});
  });
});

describe('recorded events', () => {
  const recorded = {
    id: '6f1c4f46-4a3d-4b36-9d77-0c8f3b1c2a11',
    streamId: 'lead-1',
    revision: 2n,
    type: 'LeadCreated',
    data: { name: 'Ada' },
    metadata: { actorId: 'u', $correlationId: 'r', $causationId: 'c' },
    created: new Date('2025-03-04T05:06:07.089Z'),
    position: { commit: 500n, prepare: 480n },
  };

  it('become stored events with 1-based versions, string checkpoints and ISO times', () => {
    const stored = toStoredEvent(recorded);
    expect(stored).toEqual({
      eventId: recorded.id,
      streamId: 'lead-1',
      streamVersion: 3,
      checkpoint: encodeEsdbCheckpoint({ commit: 500n, prepare: 480n }),
      type: 'LeadCreated',
      data: { name: 'Ada' },
      metadata: { actorId: 'u' },
      recordedAt: '2025-03-04T05:06:07.089Z',
    });
    expect(() => JSON.stringify(stored)).not.toThrow();
  });

  it('refuse a server too old to give stream reads their $all position', () => {
    expect(() => toStoredEvent({ ...recorded, position: undefined })).toThrow(/22.10 or newer/);
    expect(() => toStoredEvent({ ...recorded, position: { commit: (1n << 64n) - 1n, prepare: (1n << 64n) - 1n } })).toThrow(/22.10 or newer/);
  });
});
