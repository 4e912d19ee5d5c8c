import { ConcurrencyError, StoreUnavailableError } from '@leadline/platform';
import type { ExpectedVersion } from '../port.ts';
import { versionOfCurrent } from './mapping.ts';

/** gRPC status codes the adapter cares about (from @grpc/grpc-js `status`). */
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

type ClientErrorShape = { type?: string; code?: unknown; actualVersion?: unknown; streamName?: string; message?: string };

/** The client's error `type` values (ErrorType in @eventstore/db-client) that mean "try again later". */
const RETRYABLE_TYPES = new Set(['unavailable', 'cancelled', 'deadline-exceeded', 'not-leader', 'timeout']);

/**
 * True for failures that mean the server (or the leader) is not reachable right now: the client's
 * UnavailableError, CancelledError, DeadlineExceededError and NotLeaderError, and the plain gRPC
 * ServiceError with code 14 that `appendToStream` rejects with when no connection exists (the
 * client's batch append passes the raw error through without converting it).
 */
export function isEsdbUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as ClientErrorShape;
  if (typeof e.type === 'string') return RETRYABLE_TYPES.has(e.type);
  return e.code === GRPC_UNAVAILABLE || e.code === GRPC_CANCELLED || e.code === GRPC_DEADLINE_EXCEEDED;
}

export const isStreamNotFound = (err: unknown): boolean => (err as ClientErrorShape | undefined)?.type === 'stream-not-found';

/**
 * Translates a client error into the port's vocabulary: a wrong expected version becomes
 * ConcurrencyError with the caller's expected version and the stream's actual version (event count),
 * an unreachable server StoreUnavailableError (503 with Retry-After at the HTTP edge). Anything else
 * is returned unchanged (a bug or a misconfiguration, answered as 500 and logged).
 */
export function translateEsdbError(err: unknown, streamId: string, expected?: ExpectedVersion): unknown {
  const e = err as ClientErrorShape | undefined;
  if (e?.type === 'wrong-expected-version' && expected !== undefined) {
    return new ConcurrencyError(streamId, expected, versionOfCurrent(e.actualVersion as bigint | 'no_stream'));
  }
  if (isEsdbUnavailable(err)) return new StoreUnavailableError('event store unavailable');
  return err;
}
