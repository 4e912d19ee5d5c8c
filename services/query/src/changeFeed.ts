import { CHANGE_CHANNEL, changeNotice, type ChangeNotice } from '@leadline/contracts';
import { SESSION_CHANNEL, sessionNotice, type SessionNotice } from '@leadline/platform';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { z } from 'zod';

type NoticeListener = (notice: ChangeNotice) => void;
type SessionListener = (notice: SessionNotice) => void;
/** `reconnected` is false on the first connection, true after a drop (notices in the gap are lost). */
type ConnectedListener = (reconnected: boolean) => Promise<void> | void;

const MAX_BACKOFF_MS = 5_000;

/**
 * The one dedicated PostgreSQL connection per app that LISTENs for the projector's change notices
 * and the command side's session notices (ended sessions, changed accounts). A dropped connection
 * is re-established with capped exponential backoff.
 */
export class ChangeFeed {
  private client: pg.Client | null = null;
  private closed = false;
  private attempt = 0;
  private everConnected = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly noticeListeners = new Set<NoticeListener>();
  private readonly sessionListeners = new Set<SessionListener>();
  private readonly connectedListeners = new Set<ConnectedListener>();

  constructor(private readonly databaseUrl: string, private readonly log: FastifyBaseLogger) {}

  get connected(): boolean {
    return this.client !== null;
  }

  onNotice(fn: NoticeListener): void {
    this.noticeListeners.add(fn);
  }

  onSessionNotice(fn: SessionListener): void {
    this.sessionListeners.add(fn);
  }

  onConnected(fn: ConnectedListener): void {
    this.connectedListeners.add(fn);
  }

  /** Makes the first connection attempt; when it fails the feed keeps retrying in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'leadline-query-listen', keepAlive: true });
    client.on('notification', (msg) => {
      if (msg.channel === CHANGE_CHANNEL) this.deliver(msg.payload, changeNotice, this.noticeListeners);
      else if (msg.channel === SESSION_CHANNEL) this.deliver(msg.payload, sessionNotice, this.sessionListeners);
    });
    client.on('error', (err) => this.dropped(client, err));
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}; LISTEN ${SESSION_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      client.on('error', () => {});
      await client.end().catch(() => {});
      this.log.warn({ err }, 'change feed: cannot listen, retrying');
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.attempt = 0;
    const reconnected = this.everConnected;
    this.everConnected = true;
    if (reconnected) this.log.info('change feed: listening again');
    for (const fn of this.connectedListeners) {
      try {
        await fn(reconnected);
      } catch (err) {
        this.log.warn({ err }, 'change feed: connected listener failed');
      }
    }
  }

  private dropped(client: pg.Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => {});
    if (this.closed) return;
    this.log.warn({ err }, 'change feed: connection lost, reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private deliver<S extends z.ZodType>(payload: string | undefined, schema: S, listeners: Set<(notice: z.infer<S>) => void>): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload ?? '');
    } catch {
      this.log.warn({ payload }, 'change feed: notice is not JSON');
      return;
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      this.log.warn({ payload }, 'change feed: notice does not match its schema');
      return;
    }
    for (const fn of listeners) fn(result.data);
  }
}
