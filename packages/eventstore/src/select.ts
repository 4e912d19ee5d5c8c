import type pg from 'pg';
import { z } from 'zod';
import { optionalEnv } from '@leadline/platform';
import { EsdbEventStore } from './esdb/store.ts';
import type { EventStore } from './port.ts';
import { PostgresEventStore } from './postgres.ts';
import { Keyring } from './sealing/keyring.ts';
import type { MasterKeys } from './sealing/masterKeys.ts';
import { SealingEventStore } from './sealing/sealingStore.ts';

export const esdbUrl = z.string().regex(/^esdb(\+discover)?:\/\/\S+$/, 'must be an esdb:// or esdb+discover:// connection string');

/**
 * The two variables that choose the event store, shared by every service's config schema.
 * PostgreSQL (`DATABASE_URL`) is needed either way: it holds the read models, the projector's
 * state and the command side's own tables; with EventStoreDB it just no longer holds the events.
 */
export const eventStoreEnv = {
  EVENT_STORE: z.enum(['postgres', 'eventstoredb']).default('postgres'),
  EVENTSTORE_URL: optionalEnv(esdbUrl),
};

/** Refinement for a schema with `eventStoreEnv`: eventstoredb needs a URL. */
export function requireEventStoreUrl(env: { EVENT_STORE: string; EVENTSTORE_URL?: string }, ctx: z.RefinementCtx): void {
  if (env.EVENT_STORE === 'eventstoredb' && !env.EVENTSTORE_URL) {
    ctx.addIssue({ code: 'custom', path: ['EVENTSTORE_URL'], message: 'required when EVENT_STORE=eventstoredb' });
  }
}

export type EventStoreChoice = { kind: 'postgres' } | { kind: 'eventstoredb'; url: string };

export const eventStoreChoice = (env: { EVENT_STORE: 'postgres' | 'eventstoredb'; EVENTSTORE_URL?: string }): EventStoreChoice =>
  env.EVENT_STORE === 'eventstoredb' ? { kind: 'eventstoredb', url: env.EVENTSTORE_URL ?? '' } : { kind: 'postgres' };

/** The connection string without credentials, for logs. */
export const redactEsdbUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//[redacted]@');

type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

/**
 * Opens the chosen store, sealing personal data with per-lead keys wrapped by `masterKeys` (kept in
 * PostgreSQL whichever store holds the events), and logs the choice (every service does this once at start).
 */
export async function openEventStore(choice: EventStoreChoice, deps: { pool: pg.Pool; databaseUrl: string; log: Log; masterKeys: MasterKeys }): Promise<SealingEventStore> {
  const keyring = await Keyring.create(deps.pool, deps.masterKeys);
  deps.log.info({ masterKey: deps.masterKeys.current().id, source: deps.masterKeys.source }, 'personal data sealed with per-lead keys');
  return new SealingEventStore(await openInner(choice, deps), keyring);
}

async function openInner(choice: EventStoreChoice, deps: { pool: pg.Pool; databaseUrl: string; log: Log }): Promise<EventStore> {
  if (choice.kind === 'eventstoredb') {
    if (!choice.url) throw new Error('EVENTSTORE_URL is required when EVENT_STORE=eventstoredb');
    deps.log.info({ eventStore: 'eventstoredb', url: redactEsdbUrl(choice.url) }, 'event store: EventStoreDB');
    return EsdbEventStore.connect(choice.url, { log: deps.log });
  }
  deps.log.info({ eventStore: 'postgres' }, 'event store: PostgreSQL');
  return PostgresEventStore.create(deps.pool, deps.databaseUrl);
}
