import type { EventStore } from '@leadline/eventstore';
import type { AuditContext } from '../audit/record.ts';

export const ANN = { userId: '6f1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d', role: 'auditor' as const, email: 'ann@example.com' };

export const contextAt = (at: string | Date, actor: AuditContext['actor'] = ANN): AuditContext => ({ actor, ip: '10.0.0.1', userAgent: 'vitest', at: new Date(at) });

/**
 * Waits until the store's readers see the given checkpoint: the PostgreSQL store hides events above
 * any transaction still open in the cluster (another test file's), so verify would see fewer.
 */
export async function readable(store: EventStore, checkpoint: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await store.headCheckpoint()) < checkpoint) {
    if (Date.now() > until) throw new Error(`checkpoint ${checkpoint} not readable after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
