import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Board, CommandAccepted, LeadDto, ServerMessage } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

/** The thinnest complete path: command → event store → projector → query → live socket. */
describe('walking skeleton, end to end', () => {
  let s: TestStack;
  let admin: string;

  beforeAll(async () => {
    s = await startTestStack();
    admin = await s.login('admin@test.local', s.adminPassword);
  });
  afterAll(async () => {
    await s?.close();
  });

  const board = async (minCheckpoint = '') => {
    const res = await s.api<Board>('GET', `/api/pipeline/board?minCheckpoint=${minCheckpoint}`, admin);
    expect(res.status).toBe(200);
    return res.body;
  };

  it('reports healthy once projections run', async () => {
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await fetch(s.url + '/api/health')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('shows a created lead on the board of its stage, reading its own write', async () => {
    const initial = await board();
    expect(initial.columns.map((c) => c.name)).toEqual(['New', 'Qualified', 'Contacted', 'Proposal', 'Won', 'Lost']);
    const created = await s.api<CommandAccepted>('POST', '/api/leads', admin, { firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', dealValue: 1200.5 });
    expect(created.status).toBe(201);
    const after = await board(created.body.checkpoint);
    expect(after.stale).toBe(false);
    const newCol = after.columns.find((c) => c.name === 'New')!;
    expect(newCol.cards.map((c) => c.id)).toContain(created.body.id);
    expect(newCol.count).toBe(1);
    expect(newCol.totalValue).toBe(1200.5);
  });

  it('moves a card between stages and keeps its place between neighbours', async () => {
    const ids: string[] = [];
    for (const name of ['A', 'B', 'C']) {
      const r = await s.api<CommandAccepted>('POST', '/api/leads', admin, { company: `Co ${name}`, dealValue: 100 });
      ids.push(r.body.id);
    }
    let b = await board((await s.api<CommandAccepted>('POST', '/api/leads', admin, { company: 'Co D' })).body.checkpoint);
    const qualified = b.columns.find((c) => c.name === 'Qualified')!;
    const moved: CommandAccepted[] = [];
    for (const id of ids) {
      const res = await s.api<CommandAccepted>('PUT', `/api/leads/${id}/move-stage`, admin, { stageId: qualified.id, afterLeadId: moved.length ? ids[moved.length - 1] : undefined });
      expect(res.status).toBe(200);
      moved.push(res.body);
    }
    // C goes between A and B.
    const last = await s.api<CommandAccepted>('PUT', `/api/leads/${ids[2]}/move-stage`, admin, { stageId: qualified.id, afterLeadId: ids[0], beforeLeadId: ids[1] });
    expect(last.status).toBe(200);
    b = await board(last.body.checkpoint);
    const col = b.columns.find((c) => c.name === 'Qualified')!;
    expect(col.cards.map((c) => c.id)).toEqual([ids[0], ids[2], ids[1]]);
    expect(col.count).toBe(3);
    expect(col.totalValue).toBe(300);
    const lead = await s.api<LeadDto>('GET', `/api/leads/${ids[2]}?minCheckpoint=${last.body.checkpoint}`, admin);
    expect(lead.body.stageId).toBe(qualified.id);
    expect(lead.body.version).toBe(last.body.version);
  });

  it('pushes a committed move to a subscribed WebSocket client', async () => {
    const b = await board();
    const target = b.columns.find((c) => c.name === 'Contacted')!;
    const card = b.columns.find((c) => c.name === 'New')!.cards[0];
    const ws = new WebSocket(s.url.replace('http', 'ws') + '/api/live', { headers: { authorization: `Bearer ${admin}` } });
    const messages: ServerMessage[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const waitFor = async (pred: (m: ServerMessage) => boolean) => {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const m = messages.find(pred);
        if (m) return m;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no matching message; got ${JSON.stringify(messages)}`);
    };
    await waitFor((m) => m.type === 'ready');
    ws.send(JSON.stringify({ type: 'subscribe', channels: ['board'] }));
    await waitFor((m) => m.type === 'subscribed');
    const res = await s.api<CommandAccepted>('PUT', `/api/leads/${card.id}/move-stage`, admin, { stageId: target.id });
    expect(res.status).toBe(200);
    const change = await waitFor((m) => m.type === 'change' && m.cards.some((c) => c.id === card.id));
    if (change.type !== 'change') throw new Error('unreachable');
    expect(change.cards.find((c) => c.id === card.id)?.stageId).toBe(target.id);
    expect(change.checkpoint >= res.body.checkpoint).toBe(true);
    ws.close();
  });
});
