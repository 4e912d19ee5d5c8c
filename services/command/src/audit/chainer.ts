import type pg from 'pg';
import type { EventStore } from '@leadline/eventstore';
import type { FastifyBaseLogger } from 'fastify';
import { runMigrations } from '@leadline/platform';
import { ChainAppender } from './appender.ts';
import { auditMigrations, readPending, removeChained } from './outbox.ts';

/** One active chainer in the cluster: a session lock on the connection it works on. */
const LOCK = `hashtext('leadline:audit'), hashtext('chainer')`;
const BATCH = 500;
/** How often an idle chainer looks at the outbox: a record is in the chain within about this long, and what arrives meanwhile goes in one append. */
const POLL_MS = 100;
const STANDBY_MS = 1000;

export type AuditChainer = { stop(): Promise<void>; instance(): 'active' | 'standby' | 'stopped' };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Moves recorded audit events from the outbox into the chain. Every command service runs one; the
 * one holding the lock works, the others wait to take over (within a second of its connection
 * going). A batch leaves the outbox only after its append: a crash in between leaves the records
 * to be chained again, and the appender finds those already in the chain and skips them.
 */
export async function startAuditChainer(deps: { pool: pg.Pool; eventStore: EventStore; logger: FastifyBaseLogger }): Promise<AuditChainer> {
  await runMigrations(deps.pool, 'audit', auditMigrations);
  const abort = new AbortController();
  const log = deps.logger.child({ component: 'audit-chainer' });
  let instance: 'active' | 'standby' | 'stopped' = 'standby';

  const runActive = async (client: pg.PoolClient) => {
    const appender = new ChainAppender(deps.eventStore);
    while (!abort.signal.aborted) {
      const batch = await readPending(client, BATCH);
      if (batch.length > 0) {
        await appender.append(batch);
        await removeChained(client, batch.map((p) => p.recordId));
      }
      if (batch.length < BATCH) await sleep(POLL_MS, abort.signal);
    }
  };

  const loop = async () => {
    let failures = 0;
    while (!abort.signal.aborted) {
      let client: pg.PoolClient | null = null;
      try {
        client = await deps.pool.connect();
        client.on('error', () => {});
        const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS ok`);
        if (!rows[0].ok) {
          client.release();
          client = null;
          instance = 'standby';
          await sleep(STANDBY_MS, abort.signal);
          continue;
        }
        instance = 'active';
        log.info('audit chainer active');
        await runActive(client);
        await client.query(`SELECT pg_advisory_unlock(${LOCK})`);
        client.release();
        client = null;
        failures = 0;
      } catch (err) {
        // Dropping the connection frees the lock: another instance may take over while this one waits.
        client?.release(true);
        instance = 'standby';
        const wait = Math.min(10_000, 200 * 2 ** failures++);
        log.warn({ err, retryInMs: wait }, 'audit chainer paused');
        await sleep(wait, abort.signal);
      }
    }
    instance = 'stopped';
  };
  const done = loop();
  return {
    stop: async () => {
      abort.abort();
      await done;
    },
    instance: () => instance,
  };
}
