import { liveCloseCodes, type ChangeNotice, type ClientMessage, type LeadCard, type ServerMessage } from '@leadline/contracts';
import type { LiveSession, Principal, SessionNotice, SessionStore } from '@leadline/platform';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { WebSocket } from 'ws';
import type { CheckpointTracker } from '../consistency.ts';
import type { FieldPolicyCache } from '../fields/policyCache.ts';
import { loadCards } from '../read/leads.ts';
import { stageTotals } from '../read/pipeline.ts';
import { canSee, scopeFor, scopeKey, type RepVisibility, type Scope } from '../read/visibility.ts';
import { cardsChange, kindOf, leadIdOf, ownersOf, planNotice, type ChangeMessage, type ChangeSet, type ChannelKind } from './changes.ts';
import { liveClientsGauge } from './metrics.ts';
import { OwnerIndex, UNASSIGNED, type Prior } from './ownerIndex.ts';
import { readOwnedLeads } from './ownerSeed.ts';
import { parseClientMessage, sendMessage, type RawMessage } from './protocol.ts';
import { redactMessage } from './redactMessage.ts';
import { RingBuffer } from './ringBuffer.ts';
import { recheckActionFor, socketActionFor } from './sessionNotice.ts';

export type LiveHubOptions = {
  pool: pg.Pool;
  sessions: SessionStore;
  /** Field permissions: every change is redacted per client before it is sent (redactMessage.ts). */
  fields: FieldPolicyCache;
  tracker: CheckpointTracker;
  repVisibility: RepVisibility;
  /** The projections whose least checkpoint `ready`, `subscribed` and `heartbeat` report. */
  projections: string[];
  log: FastifyBaseLogger;
  heartbeatMs?: number;
  deadAfterMs?: number;
  bufferSize?: number;
  /** How often every socket's session is checked again (a safety net for a missed session notice). */
  sessionRecheckMs?: number;
};

type LiveClient = {
  socket: WebSocket;
  principal: Principal;
  /** The session's expiry: nothing is sent after it, and the socket is closed. */
  expiresAt: number;
  scope: Scope;
  channels: Set<string>;
  lastSeen: number;
  /** Set when the socket is being closed for its session: nothing more is sent on it. */
  dropped: boolean;
};

/** A change notice as the hub remembers it for replays. */
type BufferedNotice = {
  checkpoint: string;
  leadIds: string[];
  /** Each changed lead's owner just before this notice, as far as the hub knew. */
  priors: Map<string, Prior>;
  totalsStageIds: string[];
  /** Leads whose timeline changed: `lead:<id>` subscribers are told to fetch what changed. */
  timelineLeadIds: string[];
  refetch: ChannelKind[];
  reason: string;
  /**
   * One of several notices of one batch (the projector splits keys that exceed a NOTIFY payload):
   * they share the checkpoint, so a client that reconnects with it replays them all.
   */
  split?: boolean;
};

const MAX_CHANNELS_PER_CLIENT = 200;

const toColumnTotals = (t: { stageId: string; count: number; totalValue: number; weightedValue?: number }) => ({
  stageId: t.stageId,
  count: t.count,
  totalValue: t.totalValue,
  ...(t.weightedValue === undefined ? {} : { weightedValue: t.weightedValue }),
});

/**
 * Fans the projector's change notices out to WebSocket clients. Work is done once per notice
 * (cards loaded once, totals once per visibility scope) and serialised, so every client sees
 * changes in notice order and a reconnecting client's replay never interleaves with live ones.
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly buffer: RingBuffer<BufferedNotice>;
  private readonly index = new OwnerIndex();
  private seededGeneration = 0;
  /** A client whose last checkpoint is older than this may have missed notices the buffer lacks. */
  private floor = '';
  private queue: Promise<void> = Promise.resolve();
  private previous: { projection: string; entry: BufferedNotice } | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private recheck: NodeJS.Timeout | null = null;
  private readonly heartbeatMs: number;
  private readonly deadAfterMs: number;

  constructor(private readonly options: LiveHubOptions) {
    this.buffer = new RingBuffer(options.bufferSize ?? 1_000);
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.deadAfterMs = options.deadAfterMs ?? 45_000;
  }

  start(): void {
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    this.recheck = setInterval(() => void this.recheckSessions(), this.options.sessionRecheckMs ?? 30_000);
    this.recheck.unref();
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.recheck) clearInterval(this.recheck);
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    await this.queue;
  }

  /** The change feed (re)connected: notices sent while it was away are lost to the buffer. */
  feedConnected(reconnected: boolean): void {
    this.enqueue(async () => {
      const newest = this.options.tracker.newest();
      if (newest > this.floor) this.floor = newest;
      if (reconnected) this.index.reset();
      await this.seedConnected();
      if (!reconnected) return;
      // Session notices sent while the feed was away are lost too.
      await this.recheckSessions();
      const checkpoint = this.checkpoint();
      for (const client of this.clients) {
        for (const channel of client.channels) this.send(client, { type: 'refetch', channel, checkpoint, reason: 'the live feed reconnected; changes may have been missed' });
      }
    });
  }

  notice(notice: ChangeNotice): void {
    this.enqueue(() => this.process(notice).catch((err) => this.failed(notice, err)));
  }

  /**
   * A session ended or an account changed (the command side's NOTIFY, delivered on commit): the
   * sockets concerned stop receiving at once and are closed, `sessionEnded` (sign in again) or
   * `accountChanged` (reconnect with the new permissions).
   */
  sessionNotice(notice: SessionNotice): void {
    for (const client of this.clients) {
      const action = socketActionFor(notice, client.principal);
      if (action) this.drop(client, action);
    }
  }

  /** Asks the database which sockets' sessions are still live, and as whom. */
  async recheckSessions(): Promise<void> {
    const clients = [...this.clients].filter((c) => !c.dropped);
    if (clients.length === 0) return;
    let live: Map<string, LiveSession>;
    try {
      live = await this.options.sessions.stillLive([...new Set(clients.map((c) => c.principal.sessionId))]);
    } catch (err) {
      this.options.log.warn({ err }, 'live hub: cannot re-check sessions');
      return;
    }
    for (const client of clients) {
      const action = recheckActionFor(live.get(client.principal.sessionId)?.principal, client.principal);
      if (action) this.drop(client, action);
    }
  }

  connect(socket: WebSocket, session: LiveSession): void {
    const { principal } = session;
    const client: LiveClient = {
      socket,
      principal,
      expiresAt: session.expiresAt.getTime(),
      scope: scopeFor(principal, this.options.repVisibility),
      channels: new Set(),
      lastSeen: Date.now(),
      dropped: false,
    };
    this.clients.add(client);
    liveClientsGauge.inc();
    socket.on('pong', () => {
      client.lastSeen = Date.now();
    });
    socket.on('message', (data: RawMessage, isBinary: boolean) => this.received(client, data, isBinary));
    socket.on('close', () => {
      if (this.clients.delete(client)) liveClientsGauge.dec();
    });
    this.send(client, { type: 'ready', userId: principal.userId, checkpoint: this.checkpoint() });
  }

  private checkpoint(): string {
    return this.options.tracker.current(this.options.projections);
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err) => this.options.log.error({ err }, 'live hub: task failed'));
  }

  /** Every message goes out here: only while the socket's session is live. */
  private send(client: LiveClient, message: ServerMessage): void {
    if (client.dropped) return;
    if (Date.now() >= client.expiresAt) return this.drop(client, 'end');
    sendMessage(client.socket, redactMessage(this.options.fields.current(), client.principal, client.scope, message));
  }

  private drop(client: LiveClient, action: 'end' | 'reconnect'): void {
    if (client.dropped) return;
    client.dropped = true;
    if (action === 'end') client.socket.close(liveCloseCodes.sessionEnded, 'session ended');
    else client.socket.close(liveCloseCodes.accountChanged, 'permissions changed; reconnect');
  }

  private beat(): void {
    const now = Date.now();
    const message: ServerMessage = { type: 'heartbeat', checkpoint: this.checkpoint(), at: new Date(now).toISOString() };
    for (const client of this.clients) {
      if (now - client.lastSeen > this.deadAfterMs) {
        client.socket.terminate();
        continue;
      }
      client.socket.ping();
      this.send(client, message);
    }
  }

  private received(client: LiveClient, data: RawMessage, isBinary: boolean): void {
    client.lastSeen = Date.now();
    const parsed = parseClientMessage(data, isBinary);
    if ('error' in parsed) this.send(client, { type: 'error', message: parsed.error });
    else this.handle(client, parsed.message);
  }

  private handle(client: LiveClient, message: ClientMessage): void {
    switch (message.type) {
      case 'subscribe':
        this.enqueue(() => this.subscribe(client, message.channels, message.lastCheckpoint));
        return;
      case 'unsubscribe':
        for (const channel of message.channels) client.channels.delete(channel);
        return;
      case 'ping':
        this.send(client, { type: 'heartbeat', checkpoint: this.checkpoint(), at: new Date().toISOString() });
        return;
      default: {
        const _exhaustive: never = message;
        return _exhaustive;
      }
    }
  }

  private async subscribe(client: LiveClient, channels: string[], lastCheckpoint: string | undefined): Promise<void> {
    await this.freshFields();
    const accepted: string[] = [];
    for (const channel of new Set(channels)) {
      if (!client.channels.has(channel) && client.channels.size >= MAX_CHANNELS_PER_CLIENT) {
        this.send(client, { type: 'error', message: `channel ${channel}: at most ${MAX_CHANNELS_PER_CLIENT} channels per connection` });
        continue;
      }
      if (!(await this.maySubscribe(client, channel))) {
        this.send(client, { type: 'error', message: `channel ${channel} is not available` });
        continue;
      }
      client.channels.add(channel);
      accepted.push(channel);
    }
    for (const key of this.ownerKeysToSeed(client)) await this.seed(key);
    this.send(client, { type: 'subscribed', channels: accepted, checkpoint: this.checkpoint() });
    if (lastCheckpoint === undefined) return;
    for (const channel of accepted) await this.replay(client, channel, lastCheckpoint);
  }

  /** The owner keys whose leads the client's channels follow (besides everything, for a full scope). */
  private ownerKeysToSeed(client: LiveClient): string[] {
    const keys = new Set<string>();
    for (const channel of client.channels) {
      const kind = kindOf(channel);
      if (kind === 'me') keys.add(client.principal.userId);
      else if (client.scope.kind === 'own') {
        keys.add(client.scope.userId);
        keys.add(UNASSIGNED);
      }
    }
    return [...keys].filter((k) => !this.index.isSeeded(k));
  }

  /** Records every lead an owner key has, so that its absence from the index later means something. */
  private async seed(key: string): Promise<void> {
    if (this.index.isSeeded(key)) return;
    try {
      const owned = await readOwnedLeads(this.options.pool, key);
      if (owned) this.index.seed(key, owned.leadIds, owned.checkpoint);
    } catch (err) {
      this.options.log.warn({ err }, 'live hub: cannot read lead owners');
    }
  }

  /** A rep may follow only a lead they can see; a missing lead is refused alike, so existence is not revealed. */
  private async maySubscribe(client: LiveClient, channel: string): Promise<boolean> {
    const kind = kindOf(channel);
    switch (kind) {
      case 'board':
      case 'me':
        return true;
      case 'lead': {
        if (client.scope.kind === 'all') return true;
        try {
          const { rows } = await this.options.pool.query<{ owner_id: string | null }>('SELECT owner_id FROM read.leads WHERE id = $1::uuid', [leadIdOf(channel)]);
          return rows.length > 0 && canSee(client.scope, rows[0].owner_id);
        } catch (err) {
          this.options.log.warn({ err }, 'live hub: cannot check a lead channel');
          return false;
        }
      }
      default: {
        const _exhaustive: never = kind;
        return _exhaustive;
      }
    }
  }

  /** Sends are synchronous: the field permissions they redact by are brought up to date before each fan-out. */
  private async freshFields(): Promise<void> {
    await this.options.fields.get().catch((err: unknown) => this.options.log.warn({ err }, 'live hub: cannot read the field permissions; using the last ones read'));
  }

  private async process(notice: ChangeNotice): Promise<void> {
    await this.freshFields();
    const entry: BufferedNotice = { checkpoint: notice.checkpoint, priors: new Map(), ...planNotice(notice) };
    if (this.previous && this.previous.projection === notice.projection && this.previous.entry.checkpoint === notice.checkpoint) {
      this.previous.entry.split = true;
      entry.split = true;
    }
    this.previous = { projection: notice.projection, entry };
    const cards = new Map<string, LeadCard>();
    if (entry.leadIds.length > 0) {
      for (const card of await loadCards(this.options.pool, entry.leadIds)) cards.set(card.id, card);
      for (const id of entry.leadIds) {
        entry.priors.set(id, this.index.prior(id, entry.checkpoint));
        this.index.record(id, cards.get(id)?.ownerId, entry.checkpoint);
      }
      // The index forgets everything when it outgrows its capacity; what clients follow is read again.
      if (this.index.generation !== this.seededGeneration) await this.seedConnected();
    }
    this.remember(entry);
    if (entry.refetch.length > 0) {
      for (const client of this.clients) {
        for (const channel of client.channels) {
          if (entry.refetch.includes(kindOf(channel))) this.send(client, { type: 'refetch', channel, checkpoint: entry.checkpoint, reason: entry.reason });
        }
      }
    }
    this.sendTimeline(this.clients, entry.timelineLeadIds, entry.checkpoint);
    if (entry.leadIds.length === 0 && entry.totalsStageIds.length === 0) return;
    const set: ChangeSet = {
      checkpoint: entry.checkpoint,
      leadIds: entry.leadIds,
      cards,
      priors: (id) => [{ prior: entry.priors.get(id) ?? 'unknown', checkpoint: entry.checkpoint }],
      totalsStageIds: entry.totalsStageIds,
    };
    const boardCache = new Map<string, Promise<ChangeMessage | null>>();
    for (const client of this.clients) {
      for (const channel of client.channels) {
        if (entry.refetch.includes(kindOf(channel))) continue;
        const message = await this.changeFor(client, channel, set, boardCache);
        if (message) this.send(client, message);
      }
    }
  }

  /**
   * A notice that could not be fanned out (the database is away): every client must refetch,
   * now or on replay, and what the owner index knew may have missed this change.
   */
  private async failed(notice: ChangeNotice, err: unknown): Promise<void> {
    this.options.log.warn({ err, checkpoint: notice.checkpoint }, 'live hub: cannot fan out a change notice; clients will refetch');
    const reason = 'a change could not be delivered';
    this.remember({ checkpoint: notice.checkpoint, leadIds: [], priors: new Map(), totalsStageIds: [], timelineLeadIds: [], refetch: ['board', 'lead', 'me'], reason });
    for (const client of this.clients) {
      for (const channel of client.channels) this.send(client, { type: 'refetch', channel, checkpoint: notice.checkpoint, reason });
    }
    this.index.reset();
    await this.seedConnected();
  }

  /** Seeds the unassigned leads and the owners connected clients follow, after a start or a reset. */
  private async seedConnected(): Promise<void> {
    await this.seed(UNASSIGNED);
    for (const client of this.clients) for (const key of this.ownerKeysToSeed(client)) await this.seed(key);
    // Should the seeds themselves overflow the index, stay with "maybe" rather than re-read on every notice.
    this.seededGeneration = this.index.generation;
  }

  private remember(entry: BufferedNotice): void {
    const evicted = this.buffer.push(entry);
    if (evicted && evicted.checkpoint > this.floor) this.floor = evicted.checkpoint;
  }

  /** Brings a reconnecting client up to date from the buffer, or tells it to refetch. */
  private async replay(client: LiveClient, channel: string, lastCheckpoint: string): Promise<void> {
    const kind = kindOf(channel);
    const refetch = (reason: string) => this.send(client, { type: 'refetch', channel, checkpoint: this.checkpoint(), reason });
    if (lastCheckpoint < this.floor) return refetch('too many changes since your last checkpoint');
    const entries = this.buffer.toArray().filter((e) => e.checkpoint > lastCheckpoint || (e.split === true && e.checkpoint === lastCheckpoint));
    const needsRefetch = entries.find((e) => e.refetch.includes(kind));
    if (needsRefetch) return refetch(needsRefetch.reason);
    const timelineEntries = kind === 'lead' ? entries.filter((e) => e.timelineLeadIds.includes(leadIdOf(channel))) : kind === 'me' ? entries.filter((e) => e.timelineLeadIds.length > 0) : [];
    if (timelineEntries.length > 0) this.send(client, { type: 'timeline', channel, checkpoint: timelineEntries[timelineEntries.length - 1].checkpoint });
    const leadIds = [...new Set(entries.flatMap((e) => e.leadIds))];
    const totalsStageIds = [...new Set(entries.flatMap((e) => e.totalsStageIds))];
    if (leadIds.length === 0 && totalsStageIds.length === 0) return;
    const cards = new Map<string, LeadCard>();
    for (const card of await loadCards(this.options.pool, leadIds)) cards.set(card.id, card);
    const set: ChangeSet = {
      checkpoint: entries.reduce((max, e) => (e.checkpoint > max ? e.checkpoint : max), lastCheckpoint),
      leadIds,
      cards,
      priors: (id) => entries.flatMap((e) => (e.priors.has(id) ? [{ prior: e.priors.get(id) ?? 'unknown', checkpoint: e.checkpoint }] : [])),
      totalsStageIds,
    };
    const message = await this.changeFor(client, channel, set, new Map());
    if (message) this.send(client, message);
  }

  /**
   * A timeline notice carries no data, only where to fetch from; the channel was authorised on subscribe.
   * `me` subscribers (the Activities page) hear of every timeline change too: they refetch their own
   * list, which the query service scopes; the notice tells them no more than a checkpoint.
   */
  private sendTimeline(clients: Iterable<LiveClient>, leadIds: string[], checkpoint: string): void {
    if (leadIds.length === 0) return;
    const changed = new Set(leadIds.map((id) => `lead:${id}`));
    for (const client of clients) for (const channel of client.channels) if (changed.has(channel) || channel === 'me') this.send(client, { type: 'timeline', channel, checkpoint });
  }

  /** The change one client's channel should receive, or null when nothing it may see changed. */
  private changeFor(client: LiveClient, channel: string, set: ChangeSet, boardCache: Map<string, Promise<ChangeMessage | null>>): Promise<ChangeMessage | null> {
    const kind = kindOf(channel);
    switch (kind) {
      case 'board': {
        const key = scopeKey(client.scope);
        let shared = boardCache.get(key);
        if (!shared) {
          shared = this.boardChange(client.scope, set);
          boardCache.set(key, shared);
        }
        return shared;
      }
      case 'lead': {
        const id = leadIdOf(channel);
        if (!set.leadIds.includes(id)) return Promise.resolve(null);
        return Promise.resolve(cardsChange(channel, set, [id], ownersOf(client.scope), this.index));
      }
      case 'me':
        return Promise.resolve(cardsChange(channel, set, set.leadIds, [client.principal.userId], this.index));
      default: {
        const _exhaustive: never = kind;
        return _exhaustive;
      }
    }
  }

  private async boardChange(scope: Scope, set: ChangeSet): Promise<ChangeMessage | null> {
    const cardsPart = cardsChange('board', set, set.leadIds, ownersOf(scope), this.index);
    // A scoped rep's totals are sums over their own leads: stage_totals notices do not move them.
    const totalsOnly = !cardsPart && set.totalsStageIds.length > 0 && scope.kind === 'all';
    if (!cardsPart && !totalsOnly) return null;
    const pipelineIds = [...new Set([...set.cards.values()].map((c) => c.pipelineId))];
    const totals = await stageTotals(this.options.pool, scope, { pipelineIds: cardsPart ? pipelineIds : [], stageIds: set.totalsStageIds });
    return { ...(cardsPart ?? { type: 'change', channel: 'board', checkpoint: set.checkpoint, cards: [], removed: [] }), totals: totals.map(toColumnTotals) };
  }
}
