import type { EventStore, StoredEvent } from '@leadline/eventstore';
import { readPage } from './read.ts';

/** A page as read from the store: every event after `after`, in log order. */
type Page = { after: string; limit: number; events: StoredEvent[] };

/** Events kept in memory at most by the feed's page cache (about 50-100 MB of decoded events). */
const DEFAULT_CACHE_EVENTS = 60_000;

/**
 * One read of the log for every projection of the process. Runners ask for the page after their
 * checkpoint; the feed answers from a page it has already read when one covers that checkpoint,
 * joins a read in flight for the same page, and otherwise reads the store once. Runners that start
 * from the same checkpoint (a catch-up, a rebuild of every projection, a live wake-up at the head)
 * therefore read and decode each event once between them (decoding is memoised per stored event
 * object: parse.ts `decode`).
 *
 * Only full pages are kept: a page shorter than its limit ended at the readable head, and the next
 * runner asking for it after a wake-up must see what has arrived since.
 */
export class LogFeed {
  private readonly inFlight = new Map<string, Promise<StoredEvent[]>>();
  /** Full pages, oldest first (insertion order = eviction order). */
  private readonly pages = new Map<string, Page>();
  private cachedEvents = 0;
  reads = 0;

  constructor(
    private readonly store: EventStore,
    private readonly cacheEvents = DEFAULT_CACHE_EVENTS,
  ) {}

  /** At most `limit` events after `after`, in strictly increasing checkpoint order. */
  async read(after: string, limit: number): Promise<StoredEvent[]> {
    const cached = this.fromCache(after, limit);
    if (cached) return cached;
    const key = `${limit}\u0000${after}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      this.reads++;
      pending = readPage(this.store, after, limit).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
      const events = await pending;
      if (events.length === limit) this.remember({ after, limit, events });
      return events;
    }
    return pending;
  }

  /**
   * A cached page that starts at `after`, or contains it: then the rest of that page, so that a
   * runner whose checkpoint is not on a page boundary (after a restart) falls into step with the others.
   */
  private fromCache(after: string, limit: number): StoredEvent[] | null {
    for (const page of this.pages.values()) {
      const { events } = page;
      if (page.after === after && page.limit <= limit) return events;
      if (after < page.after || after >= events[events.length - 1].checkpoint) continue;
      const start = indexAfter(events, after);
      if (start < 0) continue;
      return events.slice(start, start + limit);
    }
    return null;
  }

  private remember(page: Page): void {
    const key = `${page.limit}\u0000${page.after}`;
    if (this.pages.has(key)) return;
    this.pages.set(key, page);
    this.cachedEvents += page.events.length;
    for (const [oldest, old] of this.pages) {
      if (this.cachedEvents <= this.cacheEvents || oldest === key) break;
      this.pages.delete(oldest);
      this.cachedEvents -= old.events.length;
    }
  }
}

/** Index of the first event after `checkpoint` when `checkpoint` is the checkpoint of an event of the page, else -1. */
function indexAfter(events: StoredEvent[], checkpoint: string): number {
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = events[mid].checkpoint;
    if (c === checkpoint) return mid + 1;
    if (c < checkpoint) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
