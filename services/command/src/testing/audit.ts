import type pg from 'pg';
import type { EventStore } from '@leadline/eventstore';
import type { AuditContext } from '../audit/record.ts';

export const ANN = { userId: '6f1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d', role: 'auditor' as const, email: 'ann@example.com' };

export const contextAt = (at: string | Date, actor: AuditContext['actor'] = ANN): AuditContext => ({ actor, ip: '10.0.0.1', userAgent: 'vitest', at: new Date(at) });

async function until(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until the chainer has taken every recorded audit event out of the outbox and the store's
 * readers see all of them (the PostgreSQL store hides events above any transaction still open in
 * the cluster, another test file's included, so verify would see fewer).
 */
export async function chained(pool: pg.Pool, store: EventStore, timeoutMs = 30_000): Promise<void> {
  await until(async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cmd.audit_outbox')).rows[0].n === 0, 'the audit outbox to drain', timeoutMs);
  const committed = await store.committedCheckpoint();
  await until(async () => (await store.headCheckpoint()) >= committed, `checkpoint ${committed} to be readable`, timeoutMs);
}
