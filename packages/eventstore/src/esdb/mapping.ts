import type { AppendExpectedRevision, Position } from '@eventstore/db-client';
import type { ExpectedVersion, StoredEvent } from '../port.ts';
import { START } from '../port.ts';

/**
 * Conversions between the port's numbers and EventStoreDB's bigints. Nothing bigint leaves this
 * adapter: versions become numbers (they are event counts in one stream, far below 2^53) and
 * positions become opaque 40-digit strings.
 *
 * Port version = number of events in the stream (0 = no stream). ESDB revision = 0-based number
 * of the last event, so revision = version - 1 and a stream with one event is at revision 0.
 */

/** The port's expected version as the client's expected revision. */
export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  if (expected === 'any') return 'any';
  if (expected === 'no_stream' || expected === 0) return 'no_stream';
  if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`Invalid expected version: ${expected}`);
  return BigInt(expected - 1);
}

/** A revision (0-based number of an event) as the port's 1-based stream version of that event. */
export function versionOfRevision(revision: bigint): number {
  const version = revision + 1n;
  if (version < 1n || version > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`Stream revision out of range: ${revision}`);
  return Number(version);
}

/** The stream's current revision as reported by the server (no_stream or the last event's revision) as a port version. */
export const versionOfCurrent = (current: bigint | 'no_stream' | string): number =>
  typeof current === 'bigint' ? (current < 0n ? 0 : versionOfRevision(current)) : 0;

/** The 0-based revision of the event with the given 1-based stream version (fromVersion readers start after it). */
export const revisionAfterVersion = (fromVersion: number): bigint => BigInt(Math.max(0, Math.trunc(fromVersion)));

const WIDTH = 20; // 2^64 - 1 has 20 digits
const MAX_U64 = (1n << 64n) - 1n;

/** (commit, prepare) as one fixed-width digit string: lexical order of checkpoints is log order. */
export function encodeEsdbCheckpoint(position: Position): string {
  for (const p of [position.commit, position.prepare]) {
    if (p < 0n || p > MAX_U64) throw new RangeError(`Log position out of range: ${p}`);
  }
  return position.commit.toString().padStart(WIDTH, '0') + position.prepare.toString().padStart(WIDTH, '0');
}

/** The checkpoint's position, or null for START (before every event). */
export function decodeEsdbCheckpoint(checkpoint: string): Position | null {
  if (checkpoint === START) return null;
  if (!/^[0-9]{40}$/.test(checkpoint)) throw new Error(`Invalid checkpoint: ${checkpoint}`);
  const position = { commit: BigInt(checkpoint.slice(0, WIDTH)), prepare: BigInt(checkpoint.slice(WIDTH)) };
  if (position.commit > MAX_U64 || position.prepare > MAX_U64) throw new Error(`Invalid checkpoint: ${checkpoint}`);
  return position;
}

/** Log order of two positions: -1, 0 or 1. */
export const comparePositions = (a: Position, b: Position): number =>
  a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;

/**
 * Our metadata plus EventStoreDB's well-known `$correlationId` and `$causationId`, so that the
 * server's `$by_correlation_id` projection and its UI follow a request through its events.
 */
export function toEsdbMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const correlation = metadata.correlationId ?? metadata.commandId;
  const causation = metadata.causationId ?? metadata.commandId;
  return {
    ...metadata,
    ...(correlation !== undefined ? { $correlationId: String(correlation) } : {}),
    ...(causation !== undefined ? { $causationId: String(causation) } : {}),
  };
}

/** The stored metadata as the port gives it: exactly what was appended (the `$` copies removed). */
export function fromEsdbMetadata(metadata: unknown): Record<string, unknown> {
  if (!metadata || typeof metadata !== 'object' || metadata instanceof Uint8Array || Array.isArray(metadata)) return {};
  const { $correlationId: _c, $causationId: _k, ...rest } = metadata as Record<string, unknown>;
  return rest;
}

/** The subset of the client's recorded event the adapter reads. */
export type RecordedLike = {
  id: string;
  streamId: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata?: unknown;
  created: Date;
  position?: Position;
};

export function toStoredEvent(e: RecordedLike): StoredEvent {
  // Servers before 22.6 leave stream reads without the $all position (absent, or 2^64-1).
  if (!e.position || e.position.commit === MAX_U64) throw new Error('EventStoreDB did not return event positions: Leadline needs EventStoreDB 22.10 or newer');
  return {
    eventId: e.id,
    streamId: e.streamId,
    streamVersion: versionOfRevision(e.revision),
    checkpoint: encodeEsdbCheckpoint(e.position),
    type: e.type,
    data: e.data instanceof Uint8Array ? JSON.parse(Buffer.from(e.data).toString('utf8')) : e.data,
    metadata: fromEsdbMetadata(e.metadata),
    recordedAt: e.created.toISOString(),
  };
}
