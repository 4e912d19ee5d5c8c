import type { AllStreamResolvedEvent, Position } from '@eventstore/db-client';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { isEsdbUnavailable } from './errors.ts';
import { encodeEsdbCheckpoint } from './mapping.ts';

/** What the adapter needs of the client's `subscribeToAll` result (a Readable of resolved events). */
export type SubscriptionLike = {
  on(event: 'data', listener: (event: AllStreamResolvedEvent) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'confirmation' | 'end' | 'close', listener: () => void): unknown;
  unsubscribe(): Promise<void>;
};

export type SubscribeFrom = 'start' | 'end' | Position;

export type SubscriptionStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export type SubscriptionHealth = {
  status: SubscriptionStatus;
  /** Consecutive failed attempts since the subscription was last live. */
  attempt: number;
  /** Delay before the next attempt while reconnecting, else null. */
  retryInMs: number | null;
  lastError: string | null;
  /** Times the subscription came back after a drop. */
  resubscriptions: number;
  /** Checkpoint of the last event received (resubscription starts after it); '' before the first. */
  checkpoint: string;
  since: string;
};

type Log = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

export type ResilientSubscriptionOptions = {
  name: string;
  open: (from: SubscribeFrom) => SubscriptionLike;
  /** Where the first subscription starts; later ones start from the last event received. */
  from: SubscribeFrom;
  onEvent: (event: AllStreamResolvedEvent) => void;
  /** Called when a subscription is live again after a drop (readers should catch up from their own checkpoints). */
  onResubscribed?: () => void;
  log: Log;
  backoff?: BackoffPolicy;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * A catch-up subscription to `$all` that survives the server going away: when the subscription
 * fails with CancelledError, UnavailableError or gRPC code 14 (or ends without being asked to), it
 * resubscribes from the last event it received, waiting 250 ms, 500 ms, 1 s … up to 15 s between
 * attempts, and says so in its health and in the logs. Other errors are logged as errors and
 * retried at the cap, so a misconfiguration is loud but a later fix needs no restart.
 */
export class ResilientSubscription {
  private current: SubscriptionLike | null = null;
  private timer: unknown = null;
  private lastPosition: Position | null = null;
  private stopped = false;
  private dropped = false;
  private state: SubscriptionHealth;
  private readonly backoff: BackoffPolicy;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: ResilientSubscriptionOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
    this.state = { status: 'connecting', attempt: 0, retryInMs: null, lastError: null, resubscriptions: 0, checkpoint: '', since: this.iso() };
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  health(): SubscriptionHealth {
    return { ...this.state };
  }

  start(): void {
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    this.timer = null;
    const from = this.lastPosition ?? this.options.from;
    let sub: SubscriptionLike;
    try {
      sub = this.options.open(from);
    } catch (err) {
      this.fail(null, err);
      return;
    }
    this.current = sub;
    sub.on('confirmation', () => this.live(sub));
    sub.on('data', (resolved) => {
      if (this.current !== sub) return;
      this.live(sub);
      const position = resolved.event?.position;
      if (position) {
        this.lastPosition = position;
        this.state.checkpoint = encodeEsdbCheckpoint(position);
      }
      this.options.onEvent(resolved);
    });
    sub.on('error', (err) => this.fail(sub, err));
    sub.on('end', () => this.fail(sub, new Error('subscription ended by the server')));
    sub.on('close', () => this.fail(sub, new Error('subscription closed')));
  }

  private live(sub: SubscriptionLike): void {
    if (this.current !== sub || this.state.status === 'live') return;
    const wasDropped = this.dropped;
    this.dropped = false;
    this.state = { ...this.state, status: 'live', attempt: 0, retryInMs: null, since: this.iso() };
    if (wasDropped) {
      this.state.resubscriptions++;
      this.options.log.info({ subscription: this.options.name, checkpoint: this.state.checkpoint || null, resubscriptions: this.state.resubscriptions }, 'event store subscription resubscribed');
      this.options.onResubscribed?.();
    }
  }

  private fail(sub: SubscriptionLike | null, err: unknown): void {
    if (this.stopped || (sub !== null && this.current !== sub)) return; // a late event of a subscription already replaced
    this.current = null;
    sub?.unsubscribe().catch(() => {});
    this.dropped = true;
    const retryable = isEsdbUnavailable(err) || /ended by the server|closed/.test(message(err));
    const attempt = this.state.attempt + 1;
    const delay = retryable ? backoffDelay(attempt, this.backoff) : this.backoff.maxMs;
    this.state = { ...this.state, status: 'reconnecting', attempt, retryInMs: delay, lastError: message(err), since: this.state.status === 'reconnecting' ? this.state.since : this.iso() };
    const fields = { subscription: this.options.name, attempt, retryInMs: delay, checkpoint: this.state.checkpoint || null, err: message(err) };
    if (retryable) this.options.log.warn(fields, 'event store subscription dropped; resubscribing');
    else this.options.log.error(fields, 'event store subscription failed; retrying');
    this.timer = this.setTimer(() => this.connect(), delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    const sub = this.current;
    this.current = null;
    this.state = { ...this.state, status: 'stopped', retryInMs: null, since: this.iso() };
    await sub?.unsubscribe().catch(() => {});
  }
}
