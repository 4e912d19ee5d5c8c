import crypto from 'node:crypto';
import type { AuditLink, AuditRecordedData } from '@leadline/contracts';
import type { EventStore, NewEvent, StoredEvent } from '@leadline/eventstore';
import { ConcurrencyError, StoreUnavailableError } from '@leadline/platform';
import { deterministicId } from '../ids.ts';
import { sealed } from './hash.ts';
import type { PendingAudit } from './outbox.ts';
import { AUDIT_EVENT, AUDIT_INDEX_STREAM, AUDIT_STREAM_OPENED, GENESIS_HASH, auditDayOf, auditStream, dayOfAuditStream } from './streams.ts';

/** The newest audit event: what the next one links to. */
type Head = { streamId: string; day: string; version: number; hash: string };

/** Conflicts (another chainer appending during a handover) before a batch gives up. */
const MAX_CONFLICTS = 20;

/**
 * Puts pending records into the chain, in order, with as few appends as there are days in the batch.
 * Each append extends the stream at the version the head says, so each event's prevHash is the hash
 * of the event stored before it; anything else there first is a conflict: read the tail, drop the
 * records already in it, chain the rest again. An event's id derives from its record and its place,
 * so appending the same records at the same place again (an answer lost) stores nothing twice, and
 * never passes for a different record. One appender per active chainer.
 */
export class ChainAppender {
  /** undefined until looked up; null while no audit event exists. */
  private head: Head | null | undefined = undefined;
  private readonly indexKey = crypto.randomUUID();

  constructor(private readonly store: EventStore) {}

  async append(pending: PendingAudit[]): Promise<void> {
    let rest = pending;
    let conflicts = 0;
    let lostAnswers = 0;
    while (rest.length > 0) {
      if (this.head === undefined) {
        const found = await this.findHead();
        this.head = found.head;
        rest = rest.filter((p) => !found.recordIds.has(p.recordId));
        continue;
      }
      const day = auditDayOf(rest[0].content.at);
      const known = this.head;
      // An event never goes to a day before the head's: a record stamped just before midnight and chained after it joins the new day.
      const extend = known !== null && known.day >= day ? known : null;
      // A new day links to the newest event of the day before.
      const head = extend ?? (known && (this.head = (await this.catchUp(known)).head));
      const streamId = extend ? extend.streamId : auditStream(day);
      const streamDay = extend ? extend.day : day;
      const cut = rest.findIndex((p) => auditDayOf(p.content.at) > streamDay);
      const part = cut === -1 ? rest : rest.slice(0, cut);
      if (!extend) await this.indexDay(streamId, day);
      const base = extend ? extend.version : 0;
      const events = chain(part, streamId, base, head);
      try {
        // Not written (every id stored): an earlier try whose answer was lost stored these very events.
        await this.store.append(streamId, events.map((e) => e.event), extend ? base : 'no_stream');
        this.head = { streamId, day: streamDay, version: base + part.length, hash: events[events.length - 1].data.hash };
        rest = rest.slice(part.length);
      } catch (err) {
        if (err instanceof ConcurrencyError && ++conflicts <= MAX_CONFLICTS) {
          const caught = await this.catchUp(extend ?? { streamId, day, version: 0, hash: GENESIS_HASH });
          this.head = caught.head;
          rest = rest.filter((p) => !caught.recordIds.has(p.recordId));
          continue;
        }
        // The append may have committed unheard: the same events at the same place are stored once.
        if (err instanceof StoreUnavailableError && ++lostAnswers <= 1) continue;
        this.head = undefined; // look it up again next time
        throw err;
      }
    }
  }

  /** The newest event of the newest day the index names, and the records of that day (already chained). */
  private async findHead(): Promise<{ head: Head | null; recordIds: Set<string> }> {
    const opened = await this.store.readStream(AUDIT_INDEX_STREAM);
    const days = [...new Set(opened.map((e) => (e.data as { day: string }).day))].sort().reverse();
    for (const day of days) {
      const found = await this.catchUp({ streamId: auditStream(day), day, version: 0, hash: GENESIS_HASH });
      if (found.head.version > 0) return found;
    }
    return { head: null, recordIds: new Set() };
  }

  /** The head moved to the stream's last event (reading only what came after it), and the records read on the way. */
  private async catchUp(head: Head): Promise<{ head: Head; recordIds: Set<string> }> {
    const tail: StoredEvent[] = await this.store.readStream(head.streamId, { fromVersion: head.version });
    const recordIds = new Set(tail.map((e) => (e.data as Partial<AuditRecordedData>).recordId ?? ''));
    const last = tail[tail.length - 1];
    if (!last) return { head, recordIds };
    const hash = (last.data as Partial<AuditRecordedData>).hash;
    // The chain is damaged there; a link to it would hide where. npm run audit:verify says what is wrong.
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw new Error(`Audit event ${head.streamId}@${last.streamVersion} has no valid hash`);
    return { head: { streamId: head.streamId, day: dayOfAuditStream(head.streamId), version: last.streamVersion, hash }, recordIds };
  }

  /**
   * Before a day's first event, its entry in the index, so that every audit stream that exists is
   * listed whenever a crash comes. The id derives from the stream and this appender: a retry adds nothing.
   */
  private async indexDay(streamId: string, day: string): Promise<void> {
    const eventId = deterministicId(`audit-stream:${streamId}:${this.indexKey}`);
    const metadata = { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actorId: 'audit', occurredAt: new Date().toISOString(), schemaVersion: 1 };
    await this.store.append(AUDIT_INDEX_STREAM, [{ eventId, type: AUDIT_STREAM_OPENED, data: { streamId, day }, metadata }], 'any');
  }
}

/** The records sealed in order: the first links to the head, each next one to the one before. */
function chain(part: PendingAudit[], streamId: string, base: number, head: Head | null): { event: NewEvent; data: AuditRecordedData }[] {
  let prev: AuditLink | null = head ? { streamId: head.streamId, version: head.version } : null;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return part.map((p, i) => {
    const version = base + i + 1;
    const data = sealed({ recordId: p.recordId, ...p.content, prev }, prevHash);
    prev = { streamId, version };
    prevHash = data.hash;
    const eventId = deterministicId(`audit:${p.recordId}:${streamId}:${version}`);
    const metadata = { eventId, commandId: p.recordId, correlationId: p.correlationId, causationId: p.recordId, actorId: p.content.actor?.userId ?? 'anonymous', occurredAt: p.content.at, schemaVersion: 1 };
    return { event: { eventId, type: AUDIT_EVENT, data, metadata }, data };
  });
}
