import type { EventStore } from '@leadline/eventstore';
import { ChainChecker, type ChainBreak, type HashLookup } from './check.ts';
import { AUDIT_EVENT } from './streams.ts';

export type AuditVerifyProgress = { events: number; streams: number; checkpoint: string };

export type AuditVerifyResult = { events: number; streams: number; broken: ChainBreak | null };

const PAGE = 2000;

/**
 * Reads every audit event from the store in log order and recomputes the chain: each event's hash
 * from its content, each link to the event before it. Stops at the first link that does not hold.
 */
export async function verifyAuditTrail(store: EventStore, options: { onProgress?: (p: AuditVerifyProgress) => void } = {}): Promise<AuditVerifyResult> {
  const checker = new ChainChecker();
  const lookup: HashLookup = async (streamId, version) => {
    const [event] = await store.readStream(streamId, { fromVersion: version - 1 });
    const hash = (event?.data as { hash?: unknown } | undefined)?.hash;
    return event?.streamVersion === version && typeof hash === 'string' ? hash : null;
  };
  let after = '';
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE, types: [AUDIT_EVENT] });
    for (const event of page) {
      const broken = await checker.check(event, lookup);
      if (broken) return { events: checker.events, streams: checker.streams, broken };
    }
    if (page.length === 0) break;
    after = page[page.length - 1].checkpoint;
    options.onProgress?.({ events: checker.events, streams: checker.streams, checkpoint: after });
    if (page.length < PAGE) break;
  }
  return { events: checker.events, streams: checker.streams, broken: null };
}
