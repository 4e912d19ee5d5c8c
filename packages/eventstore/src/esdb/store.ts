import { BACKWARDS, END, EventStoreDBClient, FORWARDS, START as ESDB_START, jsonEvent, type AllStreamResolvedEvent, type Position } from '@eventstore/db-client';
import type { AppendResult, EventStore, ExpectedVersion, NewEvent, ReadAllOptions, StoredEvent } from '../port.ts';
import { START, type EventStoreHealth } from '../port.ts';
import type { BackoffPolicy } from './backoff.ts';
import { isStreamNotFound, translateEsdbError } from './errors.ts';
import { LEADLINE_STREAM_CATEGORIES, categoryOf, matchesSelection, serverFilter, type StreamSelection } from './filter.ts';
import { comparePositions, decodeEsdbCheckpoint, encodeEsdbCheckpoint, revisionAfterVersion, toEsdbMetadata, toExpectedRevision, toStoredEvent, versionOfRevision, type RecordedLike } from './mapping.ts';
import { ResilientSubscription, type SubscribeFrom, type SubscriptionLike } from './subscription.ts';

type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

export type EsdbEventStoreOptions = {
  /** Stream categories this store reads and writes (default: Leadline's). */
  categories?: readonly string[];
  log?: Log;
  backoff?: BackoffPolicy;
};

/** The client calls the adapter makes (EventStoreDBClient satisfies it). */
export type EsdbClientLike = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'>;

const SCAN_PAGE = 1000;
const silent: Log = { info() {}, warn() {}, error() {} };

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/**
 * The event store port on EventStoreDB (production topology). Streams, versions and checkpoints
 * mean what they mean in the PostgreSQL store; see docs/operations.md for the mapping.
 */
export class EsdbEventStore implements EventStore {
  readonly kind = 'eventstoredb' as const;
  private readonly selection: StreamSelection;
  private readonly log: Log;
  private readonly subscriptions = new Set<ResilientSubscription>();

  constructor(private readonly client: EsdbClientLike, private readonly options: EsdbEventStoreOptions = {}) {
    this.selection = { categories: options.categories ?? LEADLINE_STREAM_CATEGORIES };
    serverFilter(this.selection); // validates the categories
    this.log = options.log ?? silent;
  }

  /** `esdb://host:2113?tls=false`, `esdb+discover://a:2113,b:2113,c:2113?tls=false` … as the client parses them. */
  static connect(url: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(url), options);
  }

  private async call<T>(streamId: string, fn: () => Promise<T>, expected?: ExpectedVersion): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateEsdbError(err, streamId, expected);
    }
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    if (!this.selection.categories.includes(categoryOf(streamId))) {
      throw new Error(`Stream category '${categoryOf(streamId)}' is not in the EventStoreDB stream filter (LEADLINE_STREAM_CATEGORIES); its events would never be read`);
    }
    const already = await this.findStored(streamId, events, expected);
    if (already) return { ...already, written: false };
    const result = await this.call(
      streamId,
      () =>
        this.client.appendToStream(
          streamId,
          events.map((e) => jsonEvent({ id: e.eventId, type: e.type, data: e.data as Record<string, unknown>, metadata: toEsdbMetadata(e.metadata) })),
          { expectedRevision: toExpectedRevision(expected) },
        ),
      expected,
    );
    const version = versionOfRevision(result.nextExpectedRevision);
    // The append answer's position is the write's commit record, not always the last event's $all
    // position that readers see; the checkpoint must be the latter (read-your-writes compares them).
    const position = await this.positionOf(streamId, version);
    return { version, checkpoint: encodeEsdbCheckpoint(position), written: true };
  }

  /**
   * EventStoreDB's idempotent append acknowledges a re-append without telling whether it wrote. The
   * port must say (`written: false`) and answer the first append's version and checkpoint, so we
   * look where the batch would be: at the expected version, or for 'any' among the stream's last events.
   */
  private async findStored(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<{ version: number; checkpoint: string } | null> {
    const n = events.length;
    let stored: StoredEvent[];
    if (expected === 'any') {
      const tail = await this.readRaw(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: Math.max(n, 50) });
      stored = tail.reverse();
      const start = stored.findIndex((e) => e.eventId === events[0].eventId);
      if (start < 0) return null;
      stored = stored.slice(start, start + n);
    } else {
      const from = expected === 'no_stream' ? 0 : expected;
      stored = await this.readRaw(streamId, { fromRevision: BigInt(from), direction: FORWARDS, maxCount: n });
    }
    if (stored.length !== n || stored.some((e, i) => e.eventId !== events[i].eventId)) return null;
    const last = stored[n - 1];
    return { version: last.streamVersion, checkpoint: last.checkpoint };
  }

  private async positionOf(streamId: string, version: number): Promise<Position> {
    const [e] = await this.readRaw(streamId, { fromRevision: BigInt(version - 1), direction: FORWARDS, maxCount: 1 });
    const position = e ? decodeEsdbCheckpoint(e.checkpoint) : null;
    if (!position) throw new Error(`EventStoreDB returned no event at ${streamId}@${version} right after appending it`);
    return position;
  }

  private async readRaw(
    streamId: string,
    options: { fromRevision: bigint | typeof END | typeof ESDB_START; direction: typeof FORWARDS | typeof BACKWARDS; maxCount?: number },
  ): Promise<StoredEvent[]> {
    try {
      const resolved = await collect(this.client.readStream(streamId, options));
      return resolved.flatMap((r) => (r.event ? [toStoredEvent(r.event as RecordedLike)] : []));
    } catch (err) {
      if (isStreamNotFound(err)) return [];
      throw translateEsdbError(err, streamId);
    }
  }

  readStream(streamId: string, options: { fromVersion?: number } = {}): Promise<StoredEvent[]> {
    return this.readRaw(streamId, { fromRevision: revisionAfterVersion(options.fromVersion ?? 0), direction: FORWARDS });
  }

  /**
   * Pages of `$all` after a checkpoint. EventStoreDB has one ordered writer, so log order is commit
   * order and nothing commits behind a reader. The client's readAll has no server-side filter, so
   * the selection is applied here, scanning on until the page is full or the log ends.
   */
  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const limit = options.limit ?? 500;
    const after = decodeEsdbCheckpoint(options.after ?? START);
    const types = options.types ? new Set(options.types) : null;
    const out: StoredEvent[] = [];
    let cursor: Position | null = after;
    for (;;) {
      const from = cursor ?? ESDB_START;
      const page = await this.call('$all', () => collect(this.client.readAll({ fromPosition: from, direction: FORWARDS, maxCount: SCAN_PAGE })));
      let last: Position | null = null;
      for (const r of page) {
        const e = r.event;
        if (!e) continue;
        last = e.position;
        if (cursor && comparePositions(e.position, cursor) <= 0) continue; // a read from a position includes it
        cursor = e.position;
        if (!matchesSelection(this.selection, e.streamId, e.type) || (types && !types.has(e.type))) continue;
        out.push(toStoredEvent(e as RecordedLike));
        if (out.length >= limit) return out;
      }
      if (page.length < SCAN_PAGE || !last) return out;
    }
  }

  committedCheckpoint(): Promise<string> {
    return this.headCheckpoint();
  }

  async headCheckpoint(): Promise<string> {
    let from: Position | typeof END = END;
    for (;;) {
      const page: AllStreamResolvedEvent[] = await this.call('$all', () => collect(this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: SCAN_PAGE })));
      for (const r of page) {
        const e = r.event;
        if (e && matchesSelection(this.selection, e.streamId, e.type)) return encodeEsdbCheckpoint(e.position);
      }
      const last = page[page.length - 1]?.event?.position;
      if (page.length < SCAN_PAGE || !last) return START;
      from = last;
    }
  }

  /**
   * A catch-up subscription to `$all` from the end, filtered on the server to our stream prefixes;
   * every event (and every resubscription after a drop) wakes the readers.
   */
  async onAppended(onWake: () => void): Promise<() => Promise<void>> {
    const filter = serverFilter(this.selection);
    const sub = new ResilientSubscription({
      name: 'wake',
      from: 'end',
      open: (from: SubscribeFrom) => this.client.subscribeToAll({ fromPosition: from, filter }) as unknown as SubscriptionLike,
      onEvent: (r) => {
        if (r.event && matchesSelection(this.selection, r.event.streamId, r.event.type)) onWake();
      },
      onResubscribed: onWake,
      log: this.log,
      backoff: this.options.backoff,
    });
    this.subscriptions.add(sub);
    sub.start();
    return async () => {
      this.subscriptions.delete(sub);
      await sub.stop();
    };
  }

  health(): EventStoreHealth {
    const subscriptions = [...this.subscriptions].map((s) => s.health());
    const reconnecting = subscriptions.some((s) => s.status === 'reconnecting');
    return { kind: this.kind, status: reconnecting ? 'reconnecting' : 'ok', subscriptions };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    await this.client.dispose();
  }
}
