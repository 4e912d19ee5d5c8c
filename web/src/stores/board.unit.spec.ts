import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../composables/useApi.ts';
import { card, columnOf, idsOf, leadId, sampleBoard, stageIds } from '../lib/boardFixtures.ts';
import { useBoardStore } from './board.ts';

type Call = { method: string; url: string; headers: Record<string, string>; body: unknown };
type Reply = { status: number; body?: unknown };

/** A scripted HTTP server behind `fetch`: each handler answers one method + path prefix. */
function serve(routes: Record<string, (call: Call) => Reply | Promise<Reply>>) {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const call: Call = { method: init.method ?? 'GET', url, headers: (init.headers ?? {}) as Record<string, string>, body: init.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const key = Object.keys(routes).find((k) => `${call.method} ${url}`.startsWith(k));
    const reply = key ? await routes[key](call) : { status: 404, body: { type: 'x', title: 'Not found', status: 404 } };
    const json = reply.status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status, headers: { 'content-type': json } });
  });
  return calls;
}

const problem = (status: number, detail: string) => ({ status, body: { type: 'https://leadline.dev/problems/x', title: `Problem ${status}`, status, detail } });

describe('board store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('loads the board with its columns in order', async () => {
    const calls = serve({ 'GET /api/pipeline/board': () => ({ status: 200, body: sampleBoard() }) });
    const store = useBoardStore();
    await store.load();
    expect(calls[0].url).toBe('/api/pipeline/board?limit=50');
    expect(store.board?.columns.map((c) => c.name)).toEqual(['New', 'Proposal', 'Lost']);
  });

  it('moves at once, sends If-Match and the neighbours, and settles on the live change', async () => {
    const calls = serve({
      'GET /api/pipeline/board': () => ({ status: 200, body: sampleBoard() }),
      'PUT /api/leads/': () => ({ status: 200, body: { id: leadId(2), version: 2, checkpoint: '0015' } }),
    });
    const store = useBoardStore();
    await store.load();
    const opId = store.beginMove(leadId(2), stageIds.proposal, { afterLeadId: leadId(4) });
    expect(opId).not.toBeNull();
    expect(idsOf(store.board!, stageIds.proposal)).toEqual([leadId(4), leadId(2)]);
    expect(columnOf(store.board!, stageIds.new).count).toBe(2);

    await store.commitMove(opId!);
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.url).toBe(`/api/leads/${leadId(2)}/move-stage`);
    expect(put.headers['If-Match']).toBe('1');
    expect(put.body).toEqual({ stageId: stageIds.proposal, afterLeadId: leadId(4) });
    expect(store.pending).toHaveLength(1);
    expect(idsOf(store.board!, stageIds.proposal)).toEqual([leadId(4), leadId(2)]);

    store.receiveChange({
      checkpoint: '0015',
      cards: [card(2, 'n', stageIds.proposal, { version: 2 })],
      removed: [],
      totals: [
        { stageId: stageIds.new, count: 2, totalValue: 4000 },
        { stageId: stageIds.proposal, count: 2, totalValue: 6000 },
      ],
    });
    expect(store.pending).toHaveLength(0);
    expect(columnOf(store.board!, stageIds.proposal).cards.map((c) => c.rank)).toEqual(['m', 'n']);
  });

  it('rolls the move back and rethrows the problem when the server refuses it', async () => {
    serve({
      'GET /api/pipeline/board': () => ({ status: 200, body: sampleBoard() }),
      'PUT /api/leads/': () => problem(422, 'A won lead cannot move back'),
    });
    const store = useBoardStore();
    await store.load();
    const opId = store.beginMove(leadId(2), stageIds.proposal, {})!;
    const failure = await store.commitMove(opId).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).message).toBe('A won lead cannot move back');
    expect(store.board).toEqual(sampleBoard());
  });

  it('reloads the board after a version conflict', async () => {
    let boards = 0;
    serve({
      'GET /api/pipeline/board': () => ({ status: 200, body: sampleBoard(String(++boards).padStart(4, '0')) }),
      'PUT /api/leads/': () => problem(409, 'expected version 1, found 2'),
    });
    const store = useBoardStore();
    await store.load();
    const opId = store.beginMove(leadId(2), stageIds.proposal, {})!;
    await expect(store.commitMove(opId)).rejects.toMatchObject({ status: 409 });
    await vi.waitFor(() => expect(boards).toBe(2));
    expect(store.pending).toHaveLength(0);
  });

  it('cancelling a begun move (lost reason dialog closed) restores the board', async () => {
    serve({ 'GET /api/pipeline/board': () => ({ status: 200, body: sampleBoard() }) });
    const store = useBoardStore();
    await store.load();
    const opId = store.beginMove(leadId(1), stageIds.lost, {})!;
    expect(idsOf(store.board!, stageIds.lost)).toEqual([leadId(1)]);
    store.cancelMove(opId);
    expect(store.board).toEqual(sampleBoard());
  });

  it('applies changes that arrived while the board was loading', async () => {
    let release: () => void = () => undefined;
    serve({ 'GET /api/pipeline/board': () => new Promise<Reply>((resolve) => (release = () => resolve({ status: 200, body: sampleBoard('0010') }))) });
    const store = useBoardStore();
    const loading = store.load();
    store.receiveChange({ checkpoint: '0011', cards: [card(8, 'z', stageIds.new)], removed: [], totals: [] });
    store.receiveChange({ checkpoint: '0009', cards: [], removed: [leadId(1)], totals: [] });
    release();
    await loading;
    expect(idsOf(store.board!, stageIds.new)).toEqual([leadId(1), leadId(2), leadId(3), leadId(8)]);
    expect(store.checkpoint).toBe('0011');
  });

  it('creates a lead optimistically with a client id, and drops the placeholder on refusal', async () => {
    const calls = serve({
      'GET /api/pipeline/board': () => ({ status: 200, body: sampleBoard() }),
      'POST /api/leads': () => ({ status: 400, body: { type: 'x', title: 'Invalid request', status: 400, detail: 'bad', errors: [{ field: 'body.company', message: 'too long' }] } }),
    });
    const store = useBoardStore();
    await store.load();
    const creating = store.createLead(stageIds.new, { firstName: 'Ada', company: 'X', dealValue: 10 });
    expect(columnOf(store.board!, stageIds.new).cards[0].firstName).toBe('Ada');
    expect(columnOf(store.board!, stageIds.new).count).toBe(4);
    await expect(creating).rejects.toMatchObject({ status: 400 });
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toMatchObject({ stageId: stageIds.new, firstName: 'Ada', company: 'X', dealValue: 10 });
    expect((post.body as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.board).toEqual(sampleBoard());
  });

  it('loads the next page of a column after the board checkpoint, without duplicates', async () => {
    const board = sampleBoard('0010');
    board.columns[0] = { ...board.columns[0], count: 5, nextCursor: 'cur1' };
    const calls = serve({
      'GET /api/pipeline/board/columns/': () => ({ status: 200, body: { stageId: stageIds.new, cards: [card(5, 'd', stageIds.new), card(6, 'e', stageIds.new)], nextCursor: null, checkpoint: '0011', stale: false } }),
      'GET /api/pipeline/board': () => ({ status: 200, body: board }),
    });
    const store = useBoardStore();
    await store.load();
    store.receiveChange({ checkpoint: '0011', cards: [card(5, 'd', stageIds.new)], removed: [], totals: [{ stageId: stageIds.new, count: 5, totalValue: 15000 }] });
    await store.loadMore(stageIds.new);
    expect(calls[1].url).toBe(`/api/pipeline/board/columns/${stageIds.new}?cursor=cur1&limit=50&minCheckpoint=0011`);
    expect(idsOf(store.board!, stageIds.new)).toEqual([leadId(1), leadId(2), leadId(3), leadId(5), leadId(6)]);
    expect(columnOf(store.board!, stageIds.new).nextCursor).toBeNull();
  });
});
