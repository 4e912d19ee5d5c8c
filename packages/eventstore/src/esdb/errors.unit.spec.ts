import { CancelledError, DeadlineExceededError, StreamNotFoundError, UnavailableError, UnknownError, WrongExpectedVersionError } from '@eventstore/db-client';
import { ConcurrencyError, StoreUnavailableError } from '@leadline/platform';
import { describe, expect, it } from 'vitest';
import { isEsdbUnavailable, isStreamNotFound, translateEsdbError } from './errors.ts';

/** The client's own error classes, built the way its append builds them. */
const wrongVersion = (current: bigint | 'no_stream', expected: bigint | 'no_stream' | 'any') =>
  new WrongExpectedVersionError(undefined as never, { streamName: 'lead-1', current, expected } as never);
/** What `appendToStream` rejects with when no connection exists: a plain gRPC ServiceError, not a client error class. */
const plainGrpc = (code: number) => Object.assign(new Error(`${code} UNAVAILABLE: No connection established`), { code, details: 'No connection established', metadata: {} });

describe('error translation', () => {
  it('turns a wrong expected revision into ConcurrencyError with the caller\'s version and the actual event count', () => {
    const err = translateEsdbError(wrongVersion(0n, 'no_stream'), 'lead-1', 'no_stream');
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect(err).toMatchObject({ streamId: 'lead-1', expected: 'no_stream', actual: 1 });
    expect(translateEsdbError(wrongVersion(0n, 4n), 'lead-1', 5)).toMatchObject({ expected: 5, actual: 1 });
    expect(translateEsdbError(wrongVersion('no_stream', 2n), 'lead-1', 3)).toMatchObject({ expected: 3, actual: 0 });
  });

  it('turns every "server not reachable" shape into StoreUnavailableError', () => {
    for (const err of [
      new UnavailableError(undefined as never),
      new CancelledError(undefined as never),
      new DeadlineExceededError(undefined as never),
      plainGrpc(14),
      plainGrpc(1),
      plainGrpc(4),
    ]) {
      expect(isEsdbUnavailable(err)).toBe(true);
      const translated = translateEsdbError(err, 'lead-1', 1);
      expect(translated).toBeInstanceOf(StoreUnavailableError);
      expect((translated as Error).message).toBe('event store unavailable'); // no internals
    }
  });

  it('leaves other failures as they are', () => {
    const unknown = new UnknownError(undefined as never);
    expect(isEsdbUnavailable(unknown)).toBe(false);
    expect(translateEsdbError(unknown, 'lead-1')).toBe(unknown);
    const bug = new TypeError('boom');
    expect(translateEsdbError(bug, 'lead-1')).toBe(bug);
    expect(isEsdbUnavailable(plainGrpc(3))).toBe(false);
    expect(isEsdbUnavailable(undefined)).toBe(false);
  });

  it('recognises a missing stream', () => {
    expect(isStreamNotFound(new StreamNotFoundError(undefined as never, 'lead-1'))).toBe(true);
    expect(isStreamNotFound(new UnavailableError(undefined as never))).toBe(false);
  });
});
