import type { Board, PipelineOverview } from '@leadline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAt as sendAtAs, startTestStack, type TestStack } from './support/stack.ts';

const DAY = 86_400_000;

/** Rotting: no change on the lead and no activity logged or completed on it for longer than the stage's rottingDays. */
describe('rotting counts activities as touches', () => {
  let s: TestStack;
  let admin: string;
  let stageId: string;
  const leads: Record<'quiet' | 'called' | 'fresh', string> = { quiet: '', called: '', fresh: '' };
  let last = '';

  const sendAt = async (at: number, method: 'POST' | 'PUT', url: string, payload: object) => {
    const body = await sendAtAs(s, at, method, url, payload);
    if (body.checkpoint > last) last = body.checkpoint;
    return body;
  };

  beforeAll(async () => {
    s = await startTestStack();
    admin = await s.login('admin@test.local', s.adminPassword);
    const now = Date.now();
    stageId = (await sendAt(now - 30 * DAY, 'POST', '/api/pipeline/stages', { name: 'Follow-up', rottingDays: 7, orderPosition: 1 })).id;
    // Three leads entered the stage 20 days ago; one got a call 10 days ago, one a call an hour ago.
    for (const key of ['quiet', 'called', 'fresh'] as const) leads[key] = (await sendAt(now - 20 * DAY, 'POST', '/api/leads', { company: key, stageId })).id;
    await sendAt(now - 10 * DAY, 'POST', '/api/activities', { leadId: leads.called, type: 'call', subject: 'Checked in', completion: { completedAt: new Date(now - 10 * DAY).toISOString() } });
    await sendAt(now - 3_600_000, 'POST', '/api/activities', { leadId: leads.fresh, type: 'call', subject: 'Checked in again' });
  });
  afterAll(() => s?.close());

  const stageOf = async (query: string) => {
    const res = await s.api<PipelineOverview>('GET', `/api/pipeline/overview?minCheckpoint=${last}${query}`, admin);
    expect(res.status).toBe(200);
    return res.body.stages.find((x) => x.stageId === stageId)!;
  };

  it('now: a lead called an hour ago is not rotting; the others are', async () => {
    expect(await stageOf('')).toMatchObject({ count: 3, rottingCount: 2 });
  });

  it('as of 5 days ago: the call 10 days ago still counted (5 days idle), the call an hour ago had not happened', async () => {
    expect(await stageOf(`&asOf=${new Date(Date.now() - 5 * DAY).toISOString()}`)).toMatchObject({ count: 3, rottingCount: 2 });
    // 12 days ago, all three had been idle 8 days: the call came two days later.
    expect(await stageOf(`&asOf=${new Date(Date.now() - 12 * DAY).toISOString()}`)).toMatchObject({ count: 3, rottingCount: 3 });
  });

  it('cards carry touchedAt: the last change or activity, which the rotting badge measures from', async () => {
    const board = (await s.api<Board>('GET', `/api/pipeline/board?minCheckpoint=${last}`, admin)).body;
    const cards = board.columns.find((c) => c.id === stageId)!.cards;
    const card = (id: string) => cards.find((c) => c.id === id)!;
    expect(Date.now() - Date.parse(card(leads.fresh).touchedAt)).toBeLessThan(2 * 3_600_000);
    expect(Date.now() - Date.parse(card(leads.fresh).updatedAt)).toBeGreaterThan(19 * DAY);
    expect(Math.round((Date.now() - Date.parse(card(leads.called).touchedAt)) / DAY)).toBe(10);
    expect(card(leads.quiet).touchedAt).toBe(card(leads.quiet).updatedAt);
  });
});
