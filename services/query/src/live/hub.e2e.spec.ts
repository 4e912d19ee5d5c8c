import type { AddressInfo } from 'node:net';
import { serverMessage, type ServerMessage } from '@leadline/contracts';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import websocket from '@fastify/websocket';
import { createLogger, createServer, SessionStore } from '@leadline/platform';
import { CheckpointTracker } from '../consistency.ts';
import { FieldPolicyCache } from '../fields/policyCache.ts';
import { DEFAULT_PROJECTIONS } from '../projections.ts';
import { buildTestApp, tokenFor } from '../testing/app.ts';
import { LiveHub } from './hub.ts';
import { registerLiveRoute } from './route.ts';
import {
  cp,
  createProjectorState,
  createReadModel,
  insertDefaultPipeline,
  insertLead,
  insertUser,
  markRunning,
  publish,
  refreshStageTotals,
  TEST_SECRET,
  updateLead,
  type TestLead,
  type TestStage,
  type TestUser,
} from '../testing/readModel.ts';

type Change = Extract<ServerMessage, { type: 'change' }>;

type Client = {
  ws: WebSocket;
  received: ServerMessage[];
  send: (message: unknown) => void;
  /** The next message (after those already taken) that matches; fails after `ms`. */
  take: <T extends ServerMessage['type']>(type: T, match?: (m: Extract<ServerMessage, { type: T }>) => boolean, ms?: number) => Promise<Extract<ServerMessage, { type: T }>>;
  closed: Promise<{ code: number; reason: string }>;
};

let db: TestDatabase;
let app: FastifyInstance;
let base: string;
let admin: TestUser;
let rep: TestUser;
let otherRep: TestUser;
let pipelineId: string;
let stages: TestStage[];
let repLead: TestLead;
let otherLead: TestLead;
let position = 100;
const clients: Client[] = [];

function open(path: string, headers: Record<string, string> = {}): Promise<Client> {
  const ws = new WebSocket(`${base}${path}`, { headers });
  const received: ServerMessage[] = [];
  let taken = 0;
  ws.on('message', (data) => received.push(serverMessage.parse(JSON.parse(String(data)))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const client: Client = {
    ws,
    received,
    closed,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    take: async (type, match = () => true, ms = 3_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        for (let i = taken; i < received.length; i++) {
          const m = received[i];
          if (m.type === type && match(m as never)) {
            taken = i + 1;
            return m as never;
          }
        }
        if (Date.now() > deadline) throw new Error(`no ${type} message within ${ms} ms; received ${JSON.stringify(received)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
  clients.push(client);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

const as = (user: TestUser) => `/api/live?token=${tokenFor(user)}`;

async function subscribed(user: TestUser, channels: string[], lastCheckpoint?: string): Promise<Client> {
  const client = await open(as(user));
  await client.take('ready');
  client.send({ type: 'subscribe', channels, ...(lastCheckpoint === undefined ? {} : { lastCheckpoint }) });
  await client.take('subscribed');
  return client;
}

/** Changes leads in the read model and publishes what the projector would after that batch. */
async function leadsChanged(ids: string[]): Promise<string> {
  position += 1;
  await refreshStageTotals(db.pool);
  await publish(db.pool, { projection: 'lead_cards', checkpoint: cp(position), changes: ids.map((key) => ({ view: 'leads', key })) });
  return cp(position);
}

beforeAll(async () => {
  db = await createTestDatabase();
  await createReadModel(db.pool);
  await createProjectorState(db.pool);
  await markRunning(db.pool, cp(position));
  admin = await insertUser(db.pool, { name: 'Ann Admin', role: 'admin' });
  rep = await insertUser(db.pool, { name: 'Rita Rep', role: 'rep' });
  otherRep = await insertUser(db.pool, { name: 'Oscar Rep', role: 'rep' });
  ({ pipelineId, stages } = await insertDefaultPipeline(db.pool));
  repLead = await insertLead(db.pool, { pipelineId, stageId: stages[0].id, ownerId: rep.id, dealValue: 500 });
  otherLead = await insertLead(db.pool, { pipelineId, stageId: stages[0].id, ownerId: otherRep.id, dealValue: 700 });
  await refreshStageTotals(db.pool);
  app = await buildTestApp(db);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterEach(() => {
  for (const c of clients.splice(0)) c.ws.terminate();
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('connecting', () => {
  it('closes with 4401 after an error message when there are no credentials', async () => {
    const client = await open('/api/live');
    await client.take('error');
    expect((await client.closed).code).toBe(4401);
  });

  it('closes with 4401 for a bad token', async () => {
    const client = await open('/api/live?token=forged.token');
    expect((await client.closed).code).toBe(4401);
  });

  it('closes with 1013 (try again), not as signed out, when the session cannot be checked', async () => {
    await db.pool.query('ALTER TABLE cmd.sessions RENAME TO sessions_away');
    try {
      const client = await open(as(admin));
      expect((await client.take('error')).message).toContain('reconnecting');
      expect((await client.closed).code).toBe(1013);
    } finally {
      await db.pool.query('ALTER TABLE cmd.sessions_away RENAME TO sessions');
    }
    const again = await open(as(admin));
    await again.take('ready');
  });

  it('accepts the bearer header and the session cookie from the same origin, not from another site', async () => {
    const bearer = await open('/api/live', { authorization: `Bearer ${tokenFor(admin)}` });
    expect(await bearer.take('ready')).toMatchObject({ userId: admin.id });
    const host = new URL(base).host;
    const cookie = `leadline_session=${tokenFor(rep)}`;
    const same = await open('/api/live', { cookie, origin: `http://${host}` });
    expect(await same.take('ready')).toMatchObject({ userId: rep.id });
    const cross = await open('/api/live', { cookie, origin: 'https://evil.example' });
    expect((await cross.closed).code).toBe(4401);
  });

  it('does not let a spoofed X-Forwarded-Host pass the origin check (no proxy is trusted by default)', async () => {
    const cookie = `leadline_session=${tokenFor(rep)}`;
    const spoofed = await open('/api/live', { cookie, origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    const outcome = await Promise.race([spoofed.closed.then((c) => c.code), spoofed.take('ready').then(() => 'ready')]);
    expect(outcome).toBe(4401);
  });

  it('takes the browser\'s Sec-Fetch-Site over Origin, as the write guard does', async () => {
    const cookie = `leadline_session=${tokenFor(rep)}`;
    const host = new URL(base).host;
    const crossSite = await open('/api/live', { cookie, origin: `http://${host}`, 'sec-fetch-site': 'same-site' });
    const outcome = await Promise.race([crossSite.closed.then((c) => c.code), crossSite.take('ready').then(() => 'ready')]);
    expect(outcome).toBe(4401);
    const own = await open('/api/live', { cookie, 'sec-fetch-site': 'same-origin' });
    expect(await own.take('ready')).toMatchObject({ userId: rep.id });
  });

  it('says ready with the checkpoint, answers ping, and survives bad messages', async () => {
    const client = await open(as(admin));
    expect(await client.take('ready')).toEqual({ type: 'ready', userId: admin.id, checkpoint: cp(position) });
    client.send('not json');
    expect((await client.take('error')).message).toContain('JSON');
    client.send({ type: 'subscribe', channels: ['everything'] });
    expect((await client.take('error')).message).toContain('invalid message');
    client.send({ type: 'ping' });
    expect(await client.take('heartbeat')).toMatchObject({ checkpoint: cp(position) });
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('keeps a subscribe sent the moment the socket opens, before ready (the session is checked before the upgrade)', async () => {
    for (let i = 0; i < 5; i++) {
      const client = await open(as(admin));
      client.send({ type: 'subscribe', channels: ['board'] });
      expect(await client.take('subscribed')).toMatchObject({ type: 'subscribed' });
      client.ws.terminate();
    }
  });

  it('counts connected clients in the metrics', async () => {
    await open(as(admin)).then((c) => c.take('ready'));
    const metrics = await app.inject({ method: 'GET', url: '/api/metrics', headers: { authorization: `Bearer ${tokenFor(admin)}` } });
    expect(metrics.body).toMatch(/leadline_live_clients [1-9]/);
  });
});

describe('board changes', () => {
  it('delivers the changed card and the totals, then fresh totals on a stage_totals notice', async () => {
    const client = await subscribed(admin, ['board']);
    await updateLead(db.pool, repLead.id, { stageId: stages[1].id, rank: 'K' });
    const checkpoint = await leadsChanged([repLead.id]);
    const change = await client.take('change');
    expect(change).toMatchObject({ channel: 'board', checkpoint, removed: [] });
    expect(change.cards).toEqual([expect.objectContaining({ id: repLead.id, stageId: stages[1].id, rank: 'K', ownerName: 'Rita Rep', version: 2 })]);
    expect(change.totals).toHaveLength(6);
    expect(change.totals.find((t) => t.stageId === stages[1].id)).toEqual({ stageId: stages[1].id, count: 1, totalValue: 500, weightedValue: 125 });
    expect(change.totals.find((t) => t.stageId === stages[0].id)).toEqual({ stageId: stages[0].id, count: 1, totalValue: 700, weightedValue: 70 });

    position += 1;
    await publish(db.pool, { projection: 'stage_totals', checkpoint: cp(position), changes: [{ view: 'stage_totals', key: stages[1].id }] });
    const totals = await client.take('change', (m) => m.checkpoint === cp(position));
    expect(totals).toEqual({ type: 'change', channel: 'board', checkpoint: cp(position), cards: [], removed: [], totals: [{ stageId: stages[1].id, count: 1, totalValue: 500, weightedValue: 125 }] });
  });

  it("never sends a rep another rep's card, and removes their card when it is reassigned away", async () => {
    const repClient = await subscribed(rep, ['board']);
    const otherClient = await subscribed(otherRep, ['board']);
    await updateLead(db.pool, otherLead.id, { rank: 'B' });
    await leadsChanged([otherLead.id]);
    expect((await otherClient.take('change')).cards.map((c) => c.id)).toEqual([otherLead.id]);

    await updateLead(db.pool, repLead.id, { ownerId: otherRep.id });
    const checkpoint = await leadsChanged([repLead.id]);
    const removal = await repClient.take('change');
    expect(removal).toMatchObject({ checkpoint, cards: [], removed: [repLead.id] });
    // The rep's totals cover their own and unassigned leads only: none are left.
    expect(removal.totals.every((t) => t.count === 0)).toBe(true);
    const gained = await otherClient.take('change');
    expect(gained.cards.map((c) => [c.id, c.ownerId])).toEqual([[repLead.id, otherRep.id]]);
    expect(gained.totals.find((t) => t.stageId === stages[1].id)).toMatchObject({ count: 1, totalValue: 500 });
    const mentions = (m: ServerMessage, id: string) => m.type === 'change' && (m.cards.some((c) => c.id === id) || m.removed.includes(id));
    expect(repClient.received.some((m) => mentions(m, otherLead.id))).toBe(false);

    await updateLead(db.pool, repLead.id, { ownerId: rep.id });
    await leadsChanged([repLead.id]);
    expect((await repClient.take('change')).cards.map((c) => c.id)).toEqual([repLead.id]);
  });

  it('removes a card the hub never saw change: the owners a rep holds are read when they subscribe', async () => {
    // A lead the hub has seen no notice for (it predates the hub, like every lead after a restart).
    const newcomer = await insertUser(db.pool, { name: 'Nina Newcomer', role: 'rep' });
    const quiet = await insertLead(db.pool, { pipelineId, stageId: stages[2].id, ownerId: newcomer.id, dealValue: 50 });
    const repClient = await subscribed(newcomer, ['board']);
    await updateLead(db.pool, quiet.id, { ownerId: otherRep.id });
    const checkpoint = await leadsChanged([quiet.id]);
    expect(await repClient.take('change')).toMatchObject({ checkpoint, cards: [], removed: [quiet.id] });
    await updateLead(db.pool, quiet.id, { ownerId: otherRep.id, rank: 'Z' });
    await leadsChanged([quiet.id]);
    await new Promise((r) => setTimeout(r, 200));
    expect(repClient.received.filter((m) => m.type === 'change')).toHaveLength(1);
  });

  it('asks for a refetch when a change cannot be loaded, now and on replay', async () => {
    const client = await subscribed(admin, ['board']);
    const before = await leadsChanged([]);
    await db.pool.query('ALTER VIEW read.leads RENAME TO leads_away');
    try {
      const checkpoint = await leadsChanged([repLead.id]);
      expect(await client.take('refetch')).toMatchObject({ channel: 'board', checkpoint });
    } finally {
      await db.pool.query('ALTER VIEW read.leads_away RENAME TO leads');
    }
    const later = await subscribed(admin, ['board'], before);
    expect(await later.take('refetch')).toMatchObject({ reason: 'a change could not be delivered' });
  });

  it('asks for a refetch when a notice is too large to list its keys', async () => {
    const client = await subscribed(admin, ['board']);
    position += 1;
    await publish(db.pool, { projection: 'lead_cards', checkpoint: cp(position) });
    expect(await client.take('refetch')).toMatchObject({ channel: 'board', checkpoint: cp(position) });
  });
});

describe('lead and me channels', () => {
  it('refuses a rep a lead they may not see and follows one they may', async () => {
    const client = await open(as(rep));
    await client.take('ready');
    client.send({ type: 'subscribe', channels: [`lead:${otherLead.id}`, `lead:${repLead.id}`, 'me'] });
    expect((await client.take('error')).message).toContain(otherLead.id);
    expect(await client.take('subscribed')).toMatchObject({ channels: [`lead:${repLead.id}`, 'me'] });
    await updateLead(db.pool, repLead.id, { dealValue: 650 });
    await leadsChanged([repLead.id]);
    const one = await client.take('change', (m) => m.channel === `lead:${repLead.id}`);
    expect(one.cards).toEqual([expect.objectContaining({ id: repLead.id, dealValue: 650 })]);
    expect(one.totals).toEqual([]);
    const mine = await client.take('change', (m) => m.channel === 'me');
    expect(mine.cards.map((c) => c.id)).toEqual([repLead.id]);
    await updateLead(db.pool, repLead.id, { dealValue: 500 });
    await leadsChanged([repLead.id]);
  });
});

describe('reconnecting', () => {
  it("replays a rep's card reassigned away while they were disconnected as removed", async () => {
    const first = await subscribed(rep, ['board']);
    const lastSeen = await leadsChanged([]);
    first.ws.close();
    await first.closed;
    await updateLead(db.pool, repLead.id, { ownerId: otherRep.id });
    await leadsChanged([repLead.id]);
    const back = await subscribed(rep, ['board'], lastSeen);
    expect(await back.take('change')).toMatchObject({ cards: [], removed: [repLead.id] });
    await updateLead(db.pool, repLead.id, { ownerId: rep.id });
    await leadsChanged([repLead.id]);
    await back.take('change', (m) => m.cards.some((c) => c.id === repLead.id));
  });


  it('tells a client whose checkpoint predates the buffer to refetch', async () => {
    const client = await subscribed(admin, ['board'], cp(1));
    expect(await client.take('refetch')).toMatchObject({ channel: 'board' });
  });

  it('replays the current cards changed after a recent checkpoint', async () => {
    const watcher = await subscribed(admin, ['board']);
    const lastSeen = await leadsChanged([]);
    await updateLead(db.pool, otherLead.id, { rank: 'C' });
    await leadsChanged([otherLead.id]);
    await updateLead(db.pool, otherLead.id, { rank: 'D' });
    const latest = await leadsChanged([otherLead.id]);
    await watcher.take('change', (m) => m.checkpoint === latest);

    const admins = await subscribed(admin, ['board'], lastSeen);
    const replay = await admins.take('change');
    expect(replay).toMatchObject({ channel: 'board', checkpoint: latest, removed: [] });
    expect(replay.cards.map((c) => [c.id, c.rank])).toEqual([[otherLead.id, 'D']]);
    expect(replay.totals.length).toBeGreaterThan(0);

    const reps = await subscribed(rep, ['board'], lastSeen);
    await new Promise((r) => setTimeout(r, 200));
    expect(reps.received.filter((m) => m.type === 'change' || m.type === 'refetch')).toEqual([]);

    const otherReps = await subscribed(otherRep, ['board'], lastSeen);
    expect((await otherReps.take('change')).cards.map((c) => c.id)).toEqual([otherLead.id]);

    const upToDate = await subscribed(admin, ['board'], latest);
    await new Promise((r) => setTimeout(r, 200));
    expect(upToDate.received.filter((m): m is Change => m.type === 'change')).toEqual([]);
  });
});

describe('heartbeat', () => {
  it('sends heartbeats and drops a client that stops answering pings', async () => {
    const server = await createServer({ logger: createLogger('live-test', 'silent'), title: 'live' });
    const sessions = new SessionStore(db.pool, TEST_SECRET);
    const hub = new LiveHub({
      pool: db.pool,
      sessions,
      fields: new FieldPolicyCache(db.pool),
      tracker: new CheckpointTracker(db.pool),
      repVisibility: 'own',
      projections: DEFAULT_PROJECTIONS,
      log: server.log,
      heartbeatMs: 100,
      deadAfterMs: 350,
    });
    await server.register(async (scope) => {
      await scope.register(websocket);
      registerLiveRoute(scope, hub, sessions);
    });
    hub.start();
    await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `ws://127.0.0.1:${(server.server.address() as AddressInfo).port}/api/live?token=${tokenFor(admin)}`;
      const lively = new WebSocket(url);
      const mute = new WebSocket(url, { autoPong: false });
      const beats: unknown[] = [];
      lively.on('message', (data) => {
        if (JSON.parse(String(data)).type === 'heartbeat') beats.push(data);
      });
      const started = Date.now();
      const closed = await new Promise<number>((resolve) => mute.on('close', (code) => resolve(code)));
      expect(closed).toBe(1006);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(lively.readyState).toBe(WebSocket.OPEN);
      expect(beats.length).toBeGreaterThanOrEqual(2);
      lively.terminate();
    } finally {
      await hub.stop();
      await server.close();
    }
  });
});
