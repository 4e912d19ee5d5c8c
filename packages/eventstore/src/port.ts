/**
 * The event store port. Two adapters implement it: PostgreSQL (embedded default, tests)
 * and EventStoreDB (production topology). Both must pass `conformance.ts`.
 *
 * Versions are counts of events in a stream: a stream with 3 events has version 3;
 * 'no_stream' is version 0. (EventStoreDB revisions are version - 1; the adapter converts.)
 * Checkpoints are opaque fixed-width digit strings whose lexical order is log order;
 * '' (START) is before every event.
 */
export type ExpectedVersion = 'no_stream' | 'any' | number;

export const START = '';

export type NewEvent = {
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
};

export type StoredEvent = {
  eventId: string;
  streamId: string;
  /** 1-based position of the event in its stream (the stream's version after it). */
  streamVersion: number;
  checkpoint: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
  /** Set by the sealing store when the event's sealed values do not open (tampered, or its key does not unwrap): the event is unreadable. */
  unreadable?: string;
};

export type AppendResult = {
  /** Stream version after the append. */
  version: number;
  /** Checkpoint of the last event of this append (for read-your-writes). */
  checkpoint: string;
  /** False when every event id was already stored (idempotent re-append: nothing written). */
  written: boolean;
};

export type ReadAllOptions = { after?: string; limit?: number; types?: string[] };

/** The store's connection as health endpoints report it (only stores with long-lived subscriptions have one). */
export type EventStoreHealth = {
  kind: 'postgres' | 'eventstoredb';
  /** 'reconnecting' while a subscription is down and being retried with backoff. */
  status: 'ok' | 'reconnecting';
  subscriptions: unknown[];
};

export interface EventStore {
  readonly kind: 'postgres' | 'eventstoredb';
  /** Appends atomically. Throws ConcurrencyError (from @leadline/platform) on a version mismatch. */
  append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  /** A missing stream is an empty array. `fromVersion` skips events with streamVersion <= it. */
  readStream(streamId: string, options?: { fromVersion?: number }): Promise<StoredEvent[]>;
  /** Events after the checkpoint, in commit order, never skipping one committed late. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /**
   * Optional fast path for readers that handle few event types: the events of `types` after the
   * checkpoint (at most `limit`), and `scannedTo`, the checkpoint up to which the log was scanned
   * (the last event returned when `limit` was reached, else the end of the scanned window): a reader
   * may advance its checkpoint there even when no event matched. START and no events when nothing is readable.
   */
  readAllOfTypes?(options: { after?: string; limit?: number; types: string[] }): Promise<{ events: StoredEvent[]; scannedTo: string }>;
  /** Calls `onWake` when new events may be readable (hint only: readers still read from their checkpoint). */
  onAppended(onWake: () => void): Promise<() => Promise<void>>;
  /** The checkpoint of the newest readable event, or START for an empty store. */
  headCheckpoint(): Promise<string>;
  /**
   * The checkpoint of the newest committed event, readable or not: what a caller waits for when it
   * needs every event acknowledged so far. Readers may see it later than headCheckpoint (the
   * PostgreSQL store holds back events above a transaction still open in the cluster; EventStoreDB
   * has no such horizon and answers headCheckpoint).
   */
  committedCheckpoint(): Promise<string>;
  /**
   * The one sanctioned edit of the log: forgetting a person whose events were stored before encryption
   * overwrites their personal values in place (docs/security.md). Replaces the data of the given events;
   * ids, types, metadata and positions stay. Absent where the store cannot rewrite events (EventStoreDB).
   */
  rewriteData?(changes: { eventId: string; data: unknown }[]): Promise<number>;
  /** Connection and subscription state, for health endpoints (optional). */
  health?(): EventStoreHealth;
  close(): Promise<void>;
}

export const streamId = (category: string, id: string): string => {
  if (category.includes('-')) throw new Error(`Stream category must not contain '-': ${category}`);
  return `${category}-${id}`;
};

export const compareCheckpoints = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);
