import { auditRecordedV1 } from '@leadline/contracts';
import { chainHash, contentOf } from './hash.ts';
import { GENESIS_HASH } from './streams.ts';

export type AuditEventRef = { streamId: string; streamVersion: number; data: unknown };

/** The first link that does not hold: where, what it should be, what is stored. */
export type ChainBreak = {
  streamId: string;
  version: number;
  problem: 'unreadable' | 'hash' | 'missing event' | 'link' | 'prevHash';
  expected: string;
  found: string;
};

/** The stored hash of an earlier audit event, or null when there is none. */
export type HashLookup = (streamId: string, version: number) => Promise<string | null>;

/**
 * Checks audit events one by one in log order (the order the store commits them, so a day's events
 * come in version order and an event a link names always comes before the link). Per stream it keeps
 * only the last version and hash; a link to an older event of an earlier day asks `lookup`.
 */
export class ChainChecker {
  private readonly last = new Map<string, { version: number; hash: string }>();
  private checked = 0;

  get events(): number {
    return this.checked;
  }

  get streams(): number {
    return this.last.size;
  }

  async check(event: AuditEventRef, lookup: HashLookup): Promise<ChainBreak | null> {
    const at = { streamId: event.streamId, version: event.streamVersion };
    const parsed = auditRecordedV1.safeParse(event.data);
    if (!parsed.success) return { ...at, problem: 'unreadable', expected: 'an AuditRecorded event', found: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
    const data = parsed.data;
    const hash = chainHash(data.prevHash, contentOf(data));
    if (hash !== data.hash) return { ...at, problem: 'hash', expected: hash, found: data.hash };

    const previous = this.last.get(event.streamId);
    const version = (previous?.version ?? 0) + 1;
    if (event.streamVersion !== version) return { ...at, problem: 'missing event', expected: `version ${version}`, found: `version ${event.streamVersion}` };

    const broken = previous ? this.sameStreamLink(event, data, previous) : await this.dayLink(event, data, lookup);
    if (broken) return { ...at, ...broken };
    this.last.set(event.streamId, { version, hash: data.hash });
    this.checked++;
    return null;
  }

  private sameStreamLink(event: AuditEventRef, data: { prev: { streamId: string; version: number } | null; prevHash: string }, previous: { version: number; hash: string }) {
    if (data.prev?.streamId !== event.streamId || data.prev.version !== previous.version)
      return { problem: 'link' as const, expected: `${event.streamId}@${previous.version}`, found: describe(data.prev) };
    if (data.prevHash !== previous.hash) return { problem: 'prevHash' as const, expected: previous.hash, found: data.prevHash };
    return null;
  }

  /** A day's first event links to an event of an earlier day; only the very first audit event starts from the genesis hash. */
  private async dayLink(event: AuditEventRef, data: { prev: { streamId: string; version: number } | null; prevHash: string }, lookup: HashLookup) {
    if (data.prev === null) {
      if (this.checked > 0) return { problem: 'link' as const, expected: 'a link to an earlier day', found: 'a new chain (no link)' };
      return data.prevHash === GENESIS_HASH ? null : { problem: 'prevHash' as const, expected: GENESIS_HASH, found: data.prevHash };
    }
    const target = this.last.get(data.prev.streamId);
    if (!(data.prev.streamId < event.streamId) || !target || target.version < data.prev.version)
      return { problem: 'link' as const, expected: 'an earlier audit event', found: `${describe(data.prev)}, which does not exist` };
    const hash = target.version === data.prev.version ? target.hash : await lookup(data.prev.streamId, data.prev.version);
    if (hash === null) return { problem: 'link' as const, expected: 'an earlier audit event', found: `${describe(data.prev)}, which does not exist` };
    return data.prevHash === hash ? null : { problem: 'prevHash' as const, expected: hash, found: data.prevHash };
  }
}

const describe = (link: { streamId: string; version: number } | null): string => (link ? `${link.streamId}@${link.version}` : 'no link');
