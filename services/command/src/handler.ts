import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventStore, NewEvent } from '@leadline/eventstore';
import { ConcurrencyError, ValidationError, type Principal, type SessionStore } from '@leadline/platform';
import { requirePrincipal, requireWriter } from './auth.ts';
import { loadAggregate, toNewEvents, type Aggregate, type CommandMetadata, type EventPayload, type Loaded } from './events.ts';
import { IDEMPOTENCY_KEY, requestHash, type IdempotencyStore } from './idempotency.ts';
import { commandIdFor } from './ids.ts';
import { appendDuration, commandConflicts, commandDuration } from './metrics.ts';

export const MAX_ATTEMPTS = 5;

export type StreamOutcome = { streamId: string; version: number; checkpoint: string; appended: number };

/** Accepts `3`, `"3"` and `W/"3"`; `*` pins nothing. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] : header).trim();
  if (value === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value);
  if (!match) throw new ValidationError('If-Match must be a stream version such as "3"', [{ field: 'headers.if-match', message: 'expected a version number' }]);
  return Number(match[1]);
}

export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (!IDEMPOTENCY_KEY.test(value)) throw new ValidationError('Idempotency-Key must be 1 to 200 printable characters', [{ field: 'headers.idempotency-key', message: '1 to 200 printable characters' }]);
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` again on a version conflict (fresh state, fresh decision), up to MAX_ATTEMPTS
 * with jittered backoff. A pinned version (If-Match) is never retried: the client asked for it.
 */
export async function withConflictRetry<T>(pinned: boolean, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      const giveUp = pinned || n >= MAX_ATTEMPTS;
      commandConflicts.inc({ outcome: giveUp ? 'rejected' : 'retried' });
      if (giveUp) throw err;
      await sleep(5 * n + Math.random() * 20 * n);
    }
  }
}

/** The outcome of this command when an earlier run (same Idempotency-Key) already appended it. */
export function alreadyApplied(loaded: Loaded<unknown>, commandId: string): StreamOutcome | undefined {
  const mine = loaded.events.filter((e) => e.metadata.commandId === commandId);
  const last = mine[mine.length - 1];
  return last && { streamId: loaded.streamId, version: last.streamVersion, checkpoint: last.checkpoint, appended: 0 };
}

/** Appends a decision with the loaded version as the expected one; no events means no append. */
export async function appendDecided(store: EventStore, loaded: Loaded<unknown>, events: EventPayload[], metadata: CommandMetadata, options: { scope?: string; eventIds?: string[] } = {}): Promise<StreamOutcome> {
  if (events.length === 0) return { streamId: loaded.streamId, version: loaded.version, checkpoint: loaded.checkpoint, appended: 0 };
  const newEvents: NewEvent[] = toNewEvents(events, metadata, options.scope).map((e, i) => {
    const eventId = options.eventIds?.[i];
    return eventId ? { ...e, eventId, metadata: { ...e.metadata, eventId } } : e;
  });
  const stop = appendDuration.startTimer();
  try {
    const result = await store.append(loaded.streamId, newEvents, loaded.version === 0 ? 'no_stream' : loaded.version);
    return { streamId: loaded.streamId, version: result.version, checkpoint: result.checkpoint, appended: result.written ? events.length : 0 };
  } finally {
    stop();
  }
}

export type StreamCommand<S> = {
  streamId: string;
  aggregate: Aggregate<S>;
  metadata: CommandMetadata;
  /** From If-Match: the version the client's change was based on. */
  expectedVersion?: number;
  /** Reads what else the decision needs (again on every attempt), then runs the pure decider. */
  decide: (loaded: Loaded<S>) => Promise<EventPayload[]> | EventPayload[];
  scope?: string;
  eventIds?: string[];
};

/** Load stream, evolve, decide, append at the loaded version; on conflict, again on fresh state. */
export function handleCommand<S>(store: EventStore, command: StreamCommand<S>): Promise<StreamOutcome> {
  return withConflictRetry(command.expectedVersion !== undefined, async () => {
    const loaded = await loadAggregate(store, command.streamId, command.aggregate);
    const done = alreadyApplied(loaded, command.metadata.commandId);
    if (done) return done;
    // A missing stream skips the precondition so the decider can answer 404 (RFC 9110 13.2.1).
    if (command.expectedVersion !== undefined && loaded.version !== 0 && loaded.version !== command.expectedVersion)
      throw new ConcurrencyError(command.streamId, command.expectedVersion, loaded.version);
    const events = await command.decide(loaded);
    return appendDecided(store, loaded, events, command.metadata, { scope: command.scope, eventIds: command.eventIds });
  });
}

export type Answer<B extends Record<string, unknown> = Record<string, unknown>> = { status: number; body: B; streams: StreamOutcome[] };

/** The `{ id, version, checkpoint }` every accepted single-stream command answers. */
export const accepted = (id: string, outcome: StreamOutcome) => ({ id, version: outcome.version, checkpoint: outcome.checkpoint });

export const acceptedAnswer = (id: string, outcome: StreamOutcome, status = 200) => ({ status, body: accepted(id, outcome), streams: [outcome] });

export type RunContext = { principal: Principal; metadata: CommandMetadata; ifMatch?: number };

export type HandlerDeps = { sessions: SessionStore; idempotency: IdempotencyStore; sessionSecret: string; clock?: () => Date };

/** `writer` (default): roles that may write; `anyone`: any signed-in user, for changes to one's own account. */
export type CommandOptions = { who?: 'writer' | 'anyone' };

/**
 * The HTTP side every write route shares: authentication, If-Match, Idempotency-Key
 * (first answer replayed, nothing appended again), metrics, the accepted-command log line
 * and `ETag: "<version>"` for single-stream answers.
 */
export async function executeCommand<B extends Record<string, unknown>>(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: HandlerDeps,
  command: string,
  run: (ctx: RunContext) => Promise<Answer<B>>,
  options: CommandOptions = {},
): Promise<B> {
  const stop = commandDuration.startTimer({ command });
  let outcome = 'error';
  try {
    const principal = options.who === 'anyone' ? await requirePrincipal(request, deps.sessions) : await requireWriter(request, deps.sessions);
    const ifMatch = parseIfMatch(request.headers['if-match']);
    const key = parseIdempotencyKey(request.headers['idempotency-key']);
    const base = { correlationId: request.correlationId, actor: { userId: principal.userId, role: principal.role }, occurredAt: (deps.clock?.() ?? new Date()).toISOString() };
    const execute = async (commandId: string) => {
      const answer = await run({ principal, ifMatch, metadata: { ...base, commandId } });
      const streams = answer.streams.filter((s) => s.appended > 0);
      request.log.info(
        { correlationId: request.correlationId, command, commandId, stream: streams.map((s) => s.streamId).join(','), version: streams.length === 1 ? streams[0].version : streams.map((s) => s.version) },
        streams.length ? 'command accepted' : 'command accepted (no change)',
      );
      return answer;
    };
    const answer = key
      ? await deps.idempotency.once(principal.userId, key, requestHash(deps.sessionSecret, request.method, request.url, request.body), () => execute(commandIdFor(principal.userId, key)))
      : { ...(await execute(crypto.randomUUID())), replayed: false };
    if (answer.replayed) reply.header('Idempotency-Replayed', 'true');
    if (typeof answer.body.version === 'number') reply.header('ETag', `"${answer.body.version}"`);
    outcome = answer.replayed ? 'replayed' : 'accepted';
    reply.code(answer.status);
    // A replayed body is the stored copy of an earlier answer of this same route.
    return answer.body as B;
  } finally {
    stop({ outcome });
  }
}
