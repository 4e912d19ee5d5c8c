import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Board, CommandAccepted, ConversionRates, PipelineDto, PipelineOverview, StageDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

/** Pipeline management over HTTP on the whole product: stages, delete-with-move, win/loss, overview, conversion, time travel. */
describe('pipeline management over HTTP', () => {
  let s: TestStack;
  let admin: string;
  let last = '';
  let startedAt = '';
  const call = async <T>(method: string, url: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await s.api<T>(method, url, admin, body, headers);
    const cp = (res.body as { checkpoint?: string } | undefined)?.checkpoint;
    if (res.status < 300 && cp && cp > last) last = cp;
    return res;
  };
  const stages = async () => (await call<StageDto[]>('GET', `/api/pipeline/stages?minCheckpoint=${last}`)).body;
  const byName = async (name: string) => (await stages()).find((x) => x.name === name)!;
  const lead = async (company: string, dealValue: number) => (await call<CommandAccepted>('POST', '/api/leads', { company, dealValue })).body.id;

  beforeAll(async () => {
    s = await startTestStack();
    admin = await s.login('admin@test.local', s.adminPassword);
    startedAt = new Date().toISOString();
  });
  afterAll(() => s?.close());

  it('adds, changes and reorders stages; a reorder from a stale list is 409', async () => {
    const added = await call<CommandAccepted>('POST', '/api/pipeline/stages', { name: 'Negotiation', color: '#AA00AA', probability: 80, rottingDays: 3, orderPosition: 4 });
    expect(added.status).toBe(201);
    const changed = await call('PUT', `/api/pipeline/stages/${added.body.id}`, { name: 'Negotiating', probability: 85 });
    expect(changed.status).toBe(200);
    expect(await byName('Negotiating')).toMatchObject({ color: '#AA00AA', probability: 85, rottingDays: 3 });
    const bad = await call('PUT', `/api/pipeline/stages/${added.body.id}`, { color: 'red', probability: 101 });
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(['body.color', 'body.probability']);

    const list = await stages();
    const reversed = list.map((x) => x.id).reverse();
    const pipelineId = list[0].pipelineId;
    expect((await call('PUT', '/api/pipeline/stages/reorder', { pipelineId, stageIds: reversed })).status).toBe(200);
    expect((await stages()).map((x) => x.id)).toEqual(reversed);
    const stale = await call<{ rule: string }>('PUT', '/api/pipeline/stages/reorder', { pipelineId, stageIds: reversed.slice(1) });
    expect(stale.status).toBe(409);
    expect(stale.body.rule).toBe('stage-list-changed');
    const pipelines = (await call<PipelineDto[]>('GET', `/api/pipelines?minCheckpoint=${last}`)).body;
    const pinned = await call('PUT', '/api/pipeline/stages/reorder', { pipelineId, stageIds: list.map((x) => x.id) }, { 'if-match': String(pipelines[0].version - 1) });
    expect(pinned.status).toBe(409);
    expect((await call('PUT', '/api/pipeline/stages/reorder', { pipelineId, stageIds: list.map((x) => x.id) }, { 'if-match': String(pipelines[0].version) })).status).toBe(200);
  });

  it('deletes a stage with leads only with a target, moving each lead by its own event', async () => {
    const doomed = await call<CommandAccepted>('POST', '/api/pipeline/stages', { name: 'Doomed' });
    const qualified = await byName('Qualified');
    const ids = [];
    for (const name of ['One', 'Two', 'Three']) {
      const id = await lead(name, 100);
      await call('PUT', `/api/leads/${id}/move-stage`, { stageId: doomed.body.id });
      ids.push(id);
    }
    await call('GET', `/api/pipeline/board?minCheckpoint=${last}`);
    const refused = await call<{ leadCount: number; rule: string }>('DELETE', `/api/pipeline/stages/${doomed.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ rule: 'stage-has-leads', leadCount: 3 });
    const done = await call<{ moved: number }>('DELETE', `/api/pipeline/stages/${doomed.body.id}?moveToStageId=${qualified.id}`);
    expect(done.status).toBe(200);
    expect(done.body.moved).toBe(3);
    expect((await stages()).some((x) => x.id === doomed.body.id)).toBe(false);
    for (const id of ids) {
      const events = await s.api<{ items: { eventType: string }[] }>('GET', `/api/leads/${id}`, admin);
      expect(events.status).toBe(200);
      expect((events.body as unknown as { stageId: string }).stageId).toBe(qualified.id);
    }
    expect((await call('DELETE', `/api/pipeline/stages/${(await byName('Lost')).id}?moveToStageId=${qualified.id}`)).status).toBe(422);
  });

  it('wins, loses with a listed or free reason, reopens; value changes are their own events', async () => {
    const [won, lost, proposal] = [await byName('Won'), await byName('Lost'), await byName('Proposal')];
    const id = await lead('Closer', 4000);
    await call('PUT', `/api/leads/${id}/move-stage`, { stageId: proposal.id });
    expect((await call('PATCH', `/api/leads/${id}`, { dealValue: 5000, probability: 90 })).status).toBe(200);
    expect((await call('PUT', `/api/leads/${id}/move-stage`, { stageId: lost.id })).status).toBe(422);
    expect((await call('PUT', `/api/leads/${id}/move-stage`, { stageId: lost.id, lostReason: 'no BUDGET' })).status).toBe(200);
    const reopened = await call<CommandAccepted>('POST', `/api/leads/${id}/reopen`, {});
    expect(reopened.status).toBe(200);
    const after = await call<{ stageId: string; lostReason: string | null }>('GET', `/api/leads/${id}?minCheckpoint=${last}`);
    expect(after.body).toMatchObject({ stageId: proposal.id, lostReason: null });
    expect((await call('POST', `/api/leads/${id}/reopen`, {})).status).toBe(422);
    expect((await call('PUT', `/api/leads/${id}/move-stage`, { stageId: won.id })).status).toBe(200);
    const events = await s.db.pool.query(`SELECT type FROM es.events WHERE stream_id = $1 ORDER BY global_position`, [`lead-${id}`]);
    expect(events.rows.map((r) => r.type)).toEqual(['LeadCreated', 'LeadMovedToStage', 'LeadDealValueChanged', 'LeadProbabilityChanged', 'LeadMovedToStage', 'LeadMovedToStage', 'LeadMovedToStage']);
  });

  it('overview: weighted value, age in stage and rotting; conversion from the recorded moves; the board as of a past moment', async () => {
    const overview = (await call<PipelineOverview>('GET', `/api/pipeline/overview?minCheckpoint=${last}`)).body;
    const won = overview.stages.find((x) => x.name === 'Won')!;
    expect(won).toMatchObject({ count: 1, totalValue: 5000, weightedValue: 4500, rottingCount: 0 });
    expect(won.avgAgeDays).toBeGreaterThanOrEqual(0);
    const qualified = overview.stages.find((x) => x.name === 'Qualified')!;
    expect(qualified).toMatchObject({ count: 3, totalValue: 300, weightedValue: 75, rottingCount: 0 });

    const future = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const later = (await call<PipelineOverview>('GET', `/api/pipeline/overview?asOf=${future}&minCheckpoint=${last}`)).body;
    expect(later.stages.find((x) => x.name === 'Qualified')).toMatchObject({ count: 3, rottingCount: 3 });

    const rates = (await call<ConversionRates>('GET', `/api/pipeline/conversion-rates?minCheckpoint=${last}`)).body;
    expect(rates).toMatchObject({ cohort: 4, won: 1, lost: 1, winRate: 0.5 });
    const stage = (name: string) => rates.stages.find((x) => x.name === name)!;
    expect(stage('New').reached).toBe(4);
    expect(stage('Proposal').reached).toBe(1);
    expect(stage('Won').reached).toBe(1);
    expect(rates.mostLostStageId).toBe(stage('Proposal').stageId);
    expect(stage('Proposal').backwardEntries).toBe(1);

    const yesterday = (await call<Board>('GET', `/api/pipeline/board?asOf=${new Date(Date.now() - 86_400_000).toISOString()}&minCheckpoint=${last}`)).body;
    expect(yesterday.columns).toEqual([]);
    const pastRes = await call<Board>("GET", `/api/pipeline/board?asOf=${startedAt}&minCheckpoint=${last}`);
    expect(pastRes.status, JSON.stringify(pastRes.body)).toBe(200);
    const past = pastRes.body;
    expect(past.asOf).toBe(startedAt);
    expect(past.columns.map((c) => c.name)).toEqual(['New', 'Qualified', 'Contacted', 'Proposal', 'Won', 'Lost']);
    expect(past.columns.every((c) => c.count === 0)).toBe(true);
    const now = (await call<Board>('GET', `/api/pipeline/board?asOf=${new Date().toISOString()}&minCheckpoint=${last}`)).body;
    expect(now.columns.find((c) => c.name === 'Qualified')?.cards.map((c) => c.company).sort()).toEqual(['One', 'Three', 'Two']);
    expect((await call('GET', '/api/pipeline/board?asOf=yesterday')).status).toBe(400);
  });

  it('creates, renames and archives a second pipeline; leads can be created in it', async () => {
    const created = await call<CommandAccepted>('POST', '/api/pipelines', { name: 'Partnerships' });
    expect(created.status).toBe(201);
    expect((await call('PUT', `/api/pipelines/${created.body.id}`, { name: 'Partners' })).status).toBe(200);
    const leadRes = await call<CommandAccepted>('POST', '/api/leads', { company: 'Ally', pipelineId: created.body.id });
    expect(leadRes.status).toBe(201);
    const board = (await call<Board>('GET', `/api/pipeline/board?pipelineId=${created.body.id}&minCheckpoint=${last}`)).body;
    expect(board.columns[0].cards.map((c) => c.company)).toEqual(['Ally']);
    expect((await call('POST', `/api/pipelines/${created.body.id}/archive`)).status).toBe(200);
    expect((await call('POST', '/api/leads', { company: 'Late', pipelineId: created.body.id })).status).toBe(422);
    const list = (await call<PipelineDto[]>('GET', `/api/pipelines?minCheckpoint=${last}`)).body;
    expect(list.map((p) => [p.name, p.isArchived])).toEqual([['Sales', false], ['Partners', true]]);
  });
});
