import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import { liveCloseCodes, type ServerMessage } from '@leadline/contracts';
import { announceAccountChange, createLogger, createServer, endSession, SessionStore } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CheckpointTracker } from '../consistency.ts';
import { FieldPolicyCache } from '../fields/policyCache.ts';
import { DEFAULT_PROJECTIONS } from '../projections.ts';
import { buildTestApp } from '../testing/app.ts';
import { cp, createProjectorState, createReadModel, insertDefaultPipeline, insertLead, insertUser, markRunning, publish, TEST_SECRET, type TestUser } from '../testing/readModel.ts';
import { LiveHub } from './hub.ts';
import { registerLiveRoute } from './route.ts';

type Socket = { messages: ServerMessage[]; closed: Promise<{ code: number; at: number }>; ws: WebSocket };

let db: TestDatabase;
let app: FastifyInstance;
let sessions: SessionStore;
let position = 10;

async function connect(base: string, token: string): Promise<Socket> {
  const ws = new WebSocket(`${base}/api/live?token=${token}`);
  const messages: ServerMessage[] = [];
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
  const closed = new Promise<{ code: number; at: number }>((resolve) => ws.on('close', (code) => resolve({ code, at: Date.now() })));
  for (const until = Date.now() + 5_000; !messages.some((m) => m.type === 'ready'); await new Promise((r) => setTimeout(r, 10)))
    if (Date.now() > until) throw new Error(`not ready: ${JSON.stringify(messages)}`);
  ws.send(JSON.stringify({ type: 'subscribe', channels: ['board'] }));
  for (const until = Date.now() + 5_000; !messages.some((m) => m.type === 'subscribed'); await new Promise((r) => setTimeout(r, 10)))
    if (Date.now() > until) throw new Error('not subscribed');
  return { ws, messages, closed };
}

const baseOf = (server: FastifyInstance) => `ws://127.0.0.1:${(server.server.address() as AddressInfo).port}`;

async function closedWithin(socket: Socket, ms: number): Promise<number> {
  const started = Date.now();
  const result = await Promise.race([socket.closed, new Promise<null>((r) => setTimeout(() => r(null), ms + 2_000))]);
  if (!result) throw new Error('the socket stayed open');
  expect(result.at - started).toBeLessThan(ms);
  return result.code;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await createReadModel(db.pool);
  await createProjectorState(db.pool);
  await markRunning(db.pool, cp(position));
  sessions = new SessionStore(db.pool, TEST_SECRET);
  app = await buildTestApp(db, { repVisibility: 'all' });
  await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const session = async (user: TestUser, ttlSeconds = 600) => (await sessions.issue({ userId: user.id, ttlSeconds })).token;
const sessionIdOf = async (token: string) => (await sessions.authenticate(token))!.principal.sessionId;

describe('live sockets follow their sessions', () => {
  it('closes the socket of an ended session within a second (4401), and only that one', async () => {
    const rep = await insertUser(db.pool, { name: 'Rita Rep', role: 'rep' });
    const phone = await session(rep);
    const laptop = await connect(baseOf(app), rep.token);
    const other = await connect(baseOf(app), phone);
    await endSession(db.pool, rep.id, await sessionIdOf(phone), 'test');
    expect(await closedWithin(other, 1_000)).toBe(liveCloseCodes.sessionEnded);
    expect(laptop.ws.readyState).toBe(WebSocket.OPEN);
    laptop.ws.close();
  });

  it('closes every socket of a user whose role or team changed (4409); the reconnect gets the new role', async () => {
    const rep = await insertUser(db.pool, { name: 'Mo Rep', role: 'rep' });
    const socket = await connect(baseOf(app), rep.token);
    await db.pool.query(`UPDATE cmd.accounts SET role = 'analyst', version = version + 1 WHERE user_id = $1`, [rep.id]);
    await announceAccountChange(db.pool, rep.id);
    expect(await closedWithin(socket, 1_000)).toBe(liveCloseCodes.accountChanged);
    const again = await connect(baseOf(app), rep.token);
    expect(again.messages[0]).toMatchObject({ type: 'ready', userId: rep.id });
    again.ws.close();
  });

  it('sends nothing once the session has expired, and closes the socket', async () => {
    const { pipelineId, stages } = await insertDefaultPipeline(db.pool);
    const admin = await insertUser(db.pool, { name: 'Ann Admin', role: 'admin' });
    const socket = await connect(baseOf(app), await session(admin, 1));
    await new Promise((r) => setTimeout(r, 1_100));
    const lead = await insertLead(db.pool, { pipelineId, stageId: stages[0].id });
    await publish(db.pool, { projection: 'lead_cards', checkpoint: cp(++position), changes: [{ view: 'leads', key: lead.id }] });
    expect((await socket.closed).code).toBe(liveCloseCodes.sessionEnded);
    expect(socket.messages.filter((m) => m.type === 'change')).toEqual([]);
  });

  it('re-checks sessions it was not told about (a missed notice) and closes the ended ones', async () => {
    const server = await createServer({ logger: createLogger('live-test', 'silent'), title: 'live' });
    const hub = new LiveHub({ pool: db.pool, sessions, fields: new FieldPolicyCache(db.pool), tracker: new CheckpointTracker(db.pool), repVisibility: 'all', projections: DEFAULT_PROJECTIONS, log: server.log, sessionRecheckMs: 100 });
    await server.register(async (scope) => {
      await scope.register(websocket);
      registerLiveRoute(scope, hub, sessions);
    });
    hub.start();
    await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const rep = await insertUser(db.pool, { name: 'Quiet Rep', role: 'rep' });
      const socket = await connect(baseOf(server), rep.token);
      await db.pool.query('UPDATE cmd.sessions SET revoked_at = now() WHERE user_id = $1', [rep.id]);
      expect(await closedWithin(socket, 1_000)).toBe(liveCloseCodes.sessionEnded);
    } finally {
      await hub.stop();
      await server.close();
    }
  });
});
