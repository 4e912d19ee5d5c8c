import { routeLead, RULES_STREAM } from '@leadline/command';
import type { EventStore, StoredEvent } from '@leadline/eventstore';
import { runMigrations, type Logger } from '@leadline/platform';
import type pg from 'pg';
import { backoffMs, isTransient } from '../engine/failures.ts';
import { tryLockProjection, unlockProjection } from '../engine/lock.ts';
import { errorMessage } from '../engine/parse.ts';
import { readProjectionPage } from '../engine/read.ts';
import { sleep, type Waker } from '../engine/wake.ts';

export const ROUTING_MANAGER = 'routing';
const LOCK_NAME = 'process-manager:routing';
const BATCH = 200;
/** The events the manager acts on; it advances over all others without reading them. */
const TRIGGERS = ['LeadCreated'] as const;
const IDLE_MS = 1000;
const STANDBY_MS = 1000;
/** A lead whose routing keeps failing is left unassigned (auto-assign can take it later) rather than blocking every lead after it. */
const MAX_ATTEMPTS = 5;

const migrations = [
  {
    id: '001-process-managers',
    sql: `CREATE TABLE IF NOT EXISTS projector.process_managers (
      name text PRIMARY KEY, checkpoint text NOT NULL DEFAULT '', processed bigint NOT NULL DEFAULT 0,
      last_error text, updated_at timestamptz NOT NULL DEFAULT now())`,
  },
];

export type RoutingManager = { stop(): Promise<void>; checkpoint(): string | null; instance(): 'active' | 'standby' | 'stopped' };

type Deps = { pool: pg.Pool; eventStore: EventStore; logger: Logger; waker: Waker };

/**
 * The routing process manager: reads the log from its own checkpoint like a projection and routes
 * each new unassigned lead. One instance is active (advisory lock); every command it issues has an
 * id derived from the LeadCreated event, so replaying a stretch of the log (a crash between the
 * command and the checkpoint) issues the same commands again, which the store ignores.
 */
export async function startRoutingManager(deps: Deps): Promise<RoutingManager> {
  await runMigrations(deps.pool, 'routing', migrations);
  await deps.pool.query(`INSERT INTO projector.process_managers (name) VALUES ($1) ON CONFLICT DO NOTHING`, [ROUTING_MANAGER]);
  const abort = new AbortController();
  const log = deps.logger.child({ processManager: ROUTING_MANAGER });
  let checkpoint: string | null = null;
  let instance: 'active' | 'standby' | 'stopped' = 'standby';

  const firstRuleCheckpoint = async (): Promise<string | null> => (await deps.eventStore.readStream(RULES_STREAM))[0]?.checkpoint ?? null;

  /** Routes a new unassigned lead; answers whether it did any work. */
  const handle = async (event: StoredEvent, rulesFrom: string | null): Promise<boolean> => {
    if (event.type !== 'LeadCreated') return false;
    const data = event.data as { leadId: string; ownerId: string | null };
    // Before the first rule existed there was nothing to route by: old leads stay as they were.
    if (data.ownerId !== null || rulesFrom === null || event.checkpoint < rulesFrom) return false;
    const meta = event.metadata as { occurredAt: string; correlationId: string };
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await routeLead(deps.eventStore, deps.pool, { id: event.eventId, leadId: data.leadId, asOf: event.checkpoint, at: meta.occurredAt, correlationId: meta.correlationId, via: 'rule' });
        log.debug({ leadId: data.leadId, correlationId: meta.correlationId, outcome: r.outcome, ownerId: r.ownerId, rule: r.ruleName }, 'lead routed'); // per lead: the assignment history holds it too
        return true;
      } catch (err) {
        if (isTransient(err) || abort.signal.aborted) throw err;
        if (attempt + 1 >= MAX_ATTEMPTS) {
          log.error({ err, leadId: data.leadId, eventId: event.eventId }, 'routing failed; lead left unassigned');
          await deps.pool.query(`UPDATE projector.process_managers SET last_error = $2 WHERE name = $1`, [ROUTING_MANAGER, `${event.eventId}: ${errorMessage(err)}`]);
          return true;
        }
        await sleep(backoffMs(attempt), abort.signal);
      }
    }
  };

  const runActive = async (client: pg.PoolClient) => {
    const { rows } = await client.query<{ checkpoint: string }>(`SELECT checkpoint FROM projector.process_managers WHERE name = $1`, [ROUTING_MANAGER]);
    let at = rows[0]?.checkpoint ?? '';
    let saved = at;
    checkpoint = at;
    while (!abort.signal.aborted) {
      const ticket = deps.waker.ticket();
      // Only LeadCreated needs an effect: the store skips the other events for us and says how far it scanned.
      const page = await readProjectionPage(deps.eventStore, at, BATCH, TRIGGERS);
      if (page.events.length === 0 && page.to === at) {
        await deps.waker.wait(ticket, IDLE_MS, abort.signal);
        continue;
      }
      const rulesFrom = page.events.some((e) => e.type === 'LeadCreated') ? await firstRuleCheckpoint() : null;
      // Saved on the lock's connection after each routed lead and once at the end of the page, never
      // per event: a takeover replays at most the rest of a page, and replaying is a no-op (the
      // decision stream keeps the first decision, command ids derive from the triggering event).
      const save = async (n: number) => {
        await client.query(`UPDATE projector.process_managers SET checkpoint = $2, processed = processed + $3, updated_at = now() WHERE name = $1`, [ROUTING_MANAGER, at, n]);
        saved = at;
      };
      let unsaved = 0;
      let finished = true;
      for (const event of page.events) {
        if (abort.signal.aborted) {
          finished = false;
          break;
        }
        const routed = await handle(event, rulesFrom);
        at = event.checkpoint;
        checkpoint = at;
        unsaved++;
        if (routed) {
          await save(unsaved);
          unsaved = 0;
        }
      }
      if (finished && page.to > at) {
        at = page.to;
        checkpoint = at;
      }
      if (at !== saved) await save(unsaved);
    }
  };

  const loop = async () => {
    let attempt = 0;
    while (!abort.signal.aborted) {
      let client: pg.PoolClient | null = null;
      try {
        client = await deps.pool.connect();
        client.on('error', () => {});
        if (!(await tryLockProjection(client, LOCK_NAME))) {
          client.release();
          client = null;
          instance = 'standby';
          await sleep(STANDBY_MS, abort.signal);
          continue;
        }
        instance = 'active';
        log.info('routing process manager active');
        await runActive(client);
        await unlockProjection(client, LOCK_NAME);
        client.release();
        client = null;
        attempt = 0;
      } catch (err) {
        client?.release(err instanceof Error ? err : true);
        instance = 'standby';
        const wait = backoffMs(attempt++);
        log.warn({ err: errorMessage(err), retryInMs: wait }, 'routing paused');
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
    checkpoint: () => checkpoint,
    instance: () => instance,
  };
}
