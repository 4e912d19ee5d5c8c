import crypto from 'node:crypto';
import type { AuditLink, AuditRecordedData } from '@leadline/contracts';
import type { EventStore, NewEvent, StoredEvent } from '@leadline/eventstore';
import { ConcurrencyError, StoreUnavailableError } from '@leadline/platform';
import { deterministicId } from '../ids.ts';
import { sealed, type AuditContent } from './hash.ts';
import { AUDIT_EVENT, AUDIT_INDEX_STREAM, AUDIT_STREAM_OPENED, GENESIS_HASH, auditDayOf, auditStream, dayOfAuditStream } from './streams.ts';

/** An audit event waiting for its place in the chain. */
export type PendingAudit = { eventId: string; correlationId: string; content: Omit<AuditContent, 'prev'> };

export type AuditReceipt = { eventId: string; streamId: string; version: number; hash: string; checkpoint: string };

/** The newest audit event this writer knows of: what the next one links to. */
type Head = { streamId: string; day: string; version: number; hash: string };

/** Events per append at most: a burst becomes a few appends, each one round trip. */
const MAX_BATCH = 200;
/** Conflicts with other replicas' writers before a record gives up (each costs one tail read). */
const MAX_CONFLICTS = 40;

type Waiting = PendingAudit & { resolve(receipt: AuditReceipt): void; reject(err: unknown): void };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One per event store and process: records queue up and go out in order, as few appends as there are
 * batches, each appended with the expected version of the stream it extends, so that each event's
 * prevHash is the hash of the event stored before it. Another replica's append in between is a
 * conflict: read the tail, chain again, append again. A record resolves only once its append is
 * committed; an append either commits whole or not at all, so a crash never leaves half a link.
 */
export class AuditWriter {
  private head: Head | null = null;
  private readonly queue: Waiting[] = [];
  private draining = false;
  /** Two replicas opening the same day write two index entries (readers take the set of days). */
  private readonly writerId = crypto.randomUUID();

  constructor(private readonly store: EventStore) {}

  write(pending: PendingAudit): Promise<AuditReceipt> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...pending, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.appendAll(batch);
        } catch (err) {
          this.head = null; // start again from the store
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Appends the batch, split where its events' day moves past the head's day. */
  private async appendAll(batch: Waiting[]): Promise<void> {
    let rest = batch;
    let conflicts = 0;
    let lostAnswers = 0;
    while (rest.length > 0) {
      const day = auditDayOf(rest[0].content.at);
      const known = this.head ?? (this.head = await this.findHead(day));
      // An event never goes to a day before the head's: a replica whose clock is behind joins the newer day.
      const extend = known !== null && known.day >= day ? known : null;
      // A new day links to the newest event of the day before, not to what this writer saw last.
      const head = extend ?? (known && (this.head = await this.catchUp(known)));
      const streamId = extend ? extend.streamId : auditStream(day);
      const streamDay = extend ? extend.day : day;
      const cut = rest.findIndex((w) => auditDayOf(w.content.at) > streamDay);
      const part = cut === -1 ? rest : rest.slice(0, cut);
      if (!extend) await this.indexDay(streamId, day);
      const base = extend ? extend.version : 0;
      const events = chain(part, streamId, base, head);
      try {
        const result = await this.store.append(streamId, events.map((e) => e.event), extend ? base : 'no_stream');
        // Not written: an earlier try whose answer was lost had stored these very events.
        const first = result.version - part.length + 1;
        part.forEach((w, i) => w.resolve({ eventId: w.eventId, streamId, version: first + i, hash: events[i].data.hash, checkpoint: result.checkpoint }));
        this.head = { streamId, day: streamDay, version: result.version, hash: events[events.length - 1].data.hash };
        rest = rest.slice(part.length);
      } catch (err) {
        if (err instanceof ConcurrencyError && ++conflicts <= MAX_CONFLICTS) {
          this.head = await this.catchUp(extend ?? { streamId, day, version: 0, hash: GENESIS_HASH });
          continue;
        }
        // The append may have committed without us hearing: the same events again are stored once.
        if (err instanceof StoreUnavailableError && ++lostAnswers <= 1) continue;
        throw err;
      }
    }
  }

  /** The newest audit event: the day's stream, else the newest earlier day the index names, else none yet. */
  private async findHead(day: string): Promise<Head | null> {
    const today = await this.tailOf(auditStream(day));
    if (today) return today;
    const opened = await this.store.readStream(AUDIT_INDEX_STREAM);
    const days = [...new Set(opened.map((e) => (e.data as { day: string }).day))].filter((d) => d < day).sort().reverse();
    for (const d of days) {
      const head = await this.tailOf(auditStream(d));
      if (head) return head;
    }
    return null;
  }

  private async tailOf(streamId: string): Promise<Head | null> {
    return this.catchUp({ streamId, day: dayOfAuditStream(streamId), version: 0, hash: GENESIS_HASH }).then((h) => (h.version === 0 ? null : h));
  }

  /** The head moved to the stream's last event (reads only what came after the known version). */
  private async catchUp(head: Head): Promise<Head> {
    const tail: StoredEvent[] = await this.store.readStream(head.streamId, { fromVersion: head.version });
    const last = tail[tail.length - 1];
    if (!last) return head;
    const hash = (last.data as Partial<AuditRecordedData>).hash;
    // The chain is damaged there; a link to it would hide where. npm run audit:verify says what is wrong.
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw new Error(`Audit event ${head.streamId}@${last.streamVersion} has no valid hash`);
    return { ...head, version: last.streamVersion, hash };
  }

  /**
   * Before a day's first event: its entry in the index (the id derives from the stream and this
   * writer, so a retry adds nothing). Written first, so that every audit stream that exists is
   * listed, whenever a crash comes.
   */
  private async indexDay(streamId: string, day: string): Promise<void> {
    const eventId = deterministicId(`audit-stream:${streamId}:${this.writerId}`);
    const metadata = { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actorId: 'audit', occurredAt: new Date().toISOString(), schemaVersion: 1 };
    await this.store.append(AUDIT_INDEX_STREAM, [{ eventId, type: AUDIT_STREAM_OPENED, data: { streamId, day }, metadata }], 'any');
  }
}

/** The batch's events sealed in order: the first links to the head, each next one to the one before. */
function chain(part: Waiting[], streamId: string, base: number, head: Head | null): { event: NewEvent; data: AuditRecordedData }[] {
  let prev: AuditLink | null = head ? { streamId: head.streamId, version: head.version } : null;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return part.map((w, i) => {
    const data = sealed({ ...w.content, prev }, prevHash);
    prev = { streamId, version: base + i + 1 };
    prevHash = data.hash;
    const metadata = { eventId: w.eventId, commandId: w.eventId, correlationId: w.correlationId, causationId: w.eventId, actorId: w.content.actor?.userId ?? 'anonymous', occurredAt: w.content.at, schemaVersion: 1 };
    return { event: { eventId: w.eventId, type: AUDIT_EVENT, data, metadata }, data };
  });
}
