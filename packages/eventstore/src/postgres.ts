import pg from 'pg';
import { ConcurrencyError, StoreUnavailableError, isDatabaseUnavailable, runMigrations } from '@leadline/platform';
import type { AppendResult, EventStore, ExpectedVersion, NewEvent, ReadAllOptions, StoredEvent } from './port.ts';
import { START } from './port.ts';
import { eventStoreMigrations } from './schema.ts';

const WIDTH = 20;
/** How many log positions `readAllOfTypes` scans per call at most. */
const SCAN_WINDOW = 5000;
const pad = (v: string | number | bigint) => String(v).padStart(WIDTH, '0');

/** (transaction_id, global_position) as one fixed-width digit string. */
export const encodePgCheckpoint = (xid: string, position: string): string => pad(xid) + pad(position);

export function decodePgCheckpoint(cp: string): { xid: string; position: string } {
  if (cp === START) return { xid: '0', position: '0' };
  if (!/^[0-9]{40}$/.test(cp)) throw new Error(`Invalid checkpoint: ${cp}`);
  return { xid: BigInt(cp.slice(0, WIDTH)).toString(), position: BigInt(cp.slice(WIDTH)).toString() };
}

type Row = {
  event_id: string;
  stream_id: string;
  stream_version: number;
  xid: string;
  pos: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
};

const toStored = (r: Row): StoredEvent => ({
  eventId: r.event_id,
  streamId: r.stream_id,
  streamVersion: r.stream_version,
  checkpoint: encodePgCheckpoint(r.xid, r.pos),
  type: r.type,
  data: r.data,
  metadata: r.metadata,
  recordedAt: r.recorded_at.toISOString(),
});

// Output names differ from the columns on purpose: ORDER BY would otherwise sort by the text casts.
const COLUMNS = 'event_id, stream_id, stream_version, transaction_id::text AS xid, global_position::text AS pos, type, data, metadata, recorded_at';

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw new StoreUnavailableError('event store unavailable');
    throw err;
  }
}

/** The channel readers LISTEN on for wake-ups (hints: readers still read from their checkpoint). */
export const WAKE_CHANNEL = 'leadline_events';

/**
 * Sends one wake-up in its own autocommitted statement. Writers that insert into es.events without the
 * adapter call it after their commit. synchronous_commit is off for this transaction only: the
 * notice is a hint, and a lost one costs a reader its idle poll, not an event.
 */
export async function notifyAppended(db: { query: (text: string, values: unknown[]) => Promise<unknown> }): Promise<void> {
  await db.query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')`, [WAKE_CHANNEL]);
}

/** Under a stream of appends, the least time between two wake-ups of one store (at most 200/s). */
const WAKE_SPACING_MS = 5;

/**
 * At most one wake-up in flight per store: appends that finish while one is in flight (or within
 * WAKE_SPACING_MS after it) ask for exactly one more, sent after it. Every append is followed by a
 * notice sent after its commit, and a burst of concurrent appends costs one or a few notices
 * instead of one commit each queued on PostgreSQL's notify lock (NOTIFY inside the append, as a
 * trigger did, serialised the appends' commits). An append after a quiet spell wakes at once.
 */
class Wakeups {
  private inFlight: Promise<void> | null = null;
  private again = false;
  constructor(private readonly pool: pg.Pool) {}

  request(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.again = false;
    this.inFlight = notifyAppended(this.pool)
      .catch(() => {}) // a hint: readers also poll when idle
      .then(() => (this.again ? new Promise<void>((r) => setTimeout(r, WAKE_SPACING_MS)) : undefined))
      .finally(() => {
        this.inFlight = null;
        if (this.again) this.request();
      });
  }

  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }
}

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres' as const;
  private readonly wakeups: Wakeups;
  private constructor(private readonly pool: pg.Pool, private readonly connectionString: string) {
    this.wakeups = new Wakeups(pool);
  }

  static async create(pool: pg.Pool, connectionString: string): Promise<PostgresEventStore> {
    await runMigrations(pool, 'eventstore', eventStoreMigrations);
    return new PostgresEventStore(pool, connectionString);
  }

  append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    return guard(() => this.appendOnce(streamId, events, expected, true));
  }

  private async appendOnce(streamId: string, events: NewEvent[], expected: ExpectedVersion, retryOnDuplicate: boolean): Promise<AppendResult> {
    const want = expected === 'any' ? -1 : expected === 'no_stream' ? 0 : expected;
    try {
      const { rows } = await this.pool.query<{ outcome: 'ok' | 'duplicate' | 'conflict'; version: number; xid: string | null; pos: string | null }>(
        'SELECT outcome, version, xid, pos FROM es.append_events($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])',
        [streamId, want, events.map((e) => e.eventId), events.map((e) => e.type), events.map((e) => JSON.stringify(e.data)), events.map((e) => JSON.stringify(e.metadata))],
      );
      const r = rows[0];
      // No row: a concurrent append of the same event ids committed while this one waited for the stream's lock,
      // so nothing was fresh to insert. Asking again answers it as the idempotent re-append it is.
      if (!r) {
        if (retryOnDuplicate) return this.appendOnce(streamId, events, expected, false);
        throw new Error(`append to ${streamId} answered no outcome twice`);
      }
      if (r.outcome === 'conflict') throw new ConcurrencyError(streamId, expected, r.version);
      if (r.outcome === 'ok') this.wakeups.request();
      return { version: r.version, checkpoint: encodePgCheckpoint(r.xid!, r.pos!), written: r.outcome === 'ok' };
    } catch (err) {
      // A concurrent append of the same event ids won the race: answer as the idempotent re-append it is.
      const e = err as { code?: string; constraint?: string };
      if (retryOnDuplicate && e.code === '23505' && e.constraint === 'events_event_id_key') return this.appendOnce(streamId, events, expected, false);
      throw err;
    }
  }

  readStream(streamId: string, options: { fromVersion?: number } = {}): Promise<StoredEvent[]> {
    return guard(async () => {
      const { rows } = await this.pool.query<Row>(
        `SELECT ${COLUMNS} FROM es.events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version`,
        [streamId, options.fromVersion ?? 0],
      );
      return rows.map(toStored);
    });
  }

  readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return guard(async () => {
      const { xid, position } = decodePgCheckpoint(options.after ?? START);
      const { rows } = await this.pool.query<Row>(
        `SELECT ${COLUMNS} FROM es.events
         WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
           AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
           ${options.types ? 'AND type = ANY($4::text[])' : ''}
         ORDER BY transaction_id, global_position
         LIMIT $3`,
        options.types ? [xid, position, options.limit ?? 500, options.types] : [xid, position, options.limit ?? 500],
      );
      return rows.map(toStored);
    });
  }

  /**
   * One statement: the window is the next SCAN_WINDOW readable positions (an index-only walk of the
   * primary key), and the events of the given types are read up to the window's last position.
   * Every position up to it belongs to a finished transaction (below the snapshot's xmin), so no
   * event of the window can still appear: the reader may skip the whole window.
   */
  readAllOfTypes(options: { after?: string; limit?: number; types: string[] }): Promise<{ events: StoredEvent[]; scannedTo: string }> {
    return guard(async () => {
      const after = options.after ?? START;
      const { xid, position } = decodePgCheckpoint(after);
      const limit = options.limit ?? 500;
      const { rows } = await this.pool.query<Row & { bxid: string; bpos: string }>(
        `WITH bound AS (
           SELECT w.transaction_id AS x, w.global_position AS p FROM (
             SELECT transaction_id, global_position FROM es.events
             WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
               AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY transaction_id, global_position LIMIT $5) w
           ORDER BY w.transaction_id DESC, w.global_position DESC LIMIT 1)
         SELECT b.x::text AS bxid, b.p::text AS bpos, e.* FROM bound b LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM es.events
           WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
             AND (transaction_id, global_position) <= (b.x, b.p)
             AND type = ANY($4::text[])
           ORDER BY transaction_id, global_position
           LIMIT $3) e ON true`,
        [xid, position, limit, options.types, Math.max(SCAN_WINDOW, limit)],
      );
      if (rows.length === 0) return { events: [], scannedTo: after };
      const events = (rows[0].event_id as string | null) === null ? [] : rows.map(toStored);
      const scannedTo = events.length >= limit ? events[events.length - 1].checkpoint : encodePgCheckpoint(rows[0].bxid, rows[0].bpos);
      return { events, scannedTo };
    });
  }

  rewriteData(changes: { eventId: string; data: unknown }[]): Promise<number> {
    if (changes.length === 0) return Promise.resolve(0);
    return guard(async () => {
      const { rowCount } = await this.pool.query(
        'UPDATE es.events e SET data = c.data FROM jsonb_to_recordset($1::jsonb) AS c(event_id uuid, data jsonb) WHERE e.event_id = c.event_id',
        [JSON.stringify(changes.map((c) => ({ event_id: c.eventId, data: c.data })))],
      );
      return rowCount ?? 0;
    });
  }

  committedCheckpoint(): Promise<string> {
    return guard(async () => {
      const { rows } = await this.pool.query<{ xid: string; pos: string }>(
        `SELECT transaction_id::text AS xid, global_position::text AS pos FROM es.events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
      );
      return rows[0] ? encodePgCheckpoint(rows[0].xid, rows[0].pos) : START;
    });
  }

  headCheckpoint(): Promise<string> {
    return guard(async () => {
      const { rows } = await this.pool.query<{ xid: string; pos: string }>(
        `SELECT transaction_id::text AS xid, global_position::text AS pos FROM es.events
         WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
      );
      return rows[0] ? encodePgCheckpoint(rows[0].xid, rows[0].pos) : START;
    });
  }

  async onAppended(onWake: () => void): Promise<() => Promise<void>> {
    let client: pg.Client | null = null;
    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    const connect = async () => {
      if (closed) return;
      const c = new pg.Client({ connectionString: this.connectionString, application_name: 'leadline-es-listen' });
      c.on('notification', () => onWake());
      c.on('error', () => {
        c.end().catch(() => {});
        if (client === c) client = null;
        if (!closed) retry = setTimeout(connect, 1000);
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${WAKE_CHANNEL}`);
        client = c;
        onWake(); // anything appended while we were not listening
      } catch {
        c.end().catch(() => {});
        if (!closed) retry = setTimeout(connect, 1000);
      }
    };
    await connect();
    return async () => {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    };
  }

  /** Waits for the wake-up in flight; the pool belongs to the caller. */
  async close(): Promise<void> {
    await this.wakeups.drain();
  }
}
