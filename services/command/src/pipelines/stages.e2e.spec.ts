import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_ID } from '../ids.ts';
import { startCommandHarness, type CommandHarness } from '../testing/app.ts';

describe('stage commands over HTTP', () => {
  let h: CommandHarness;
  beforeAll(async () => {
    h = await startCommandHarness();
  });
  afterAll(() => h?.close());

  it('adds a stage after the last one; names are unique ignoring case; reps may not', async () => {
    const manager = await h.createUser('manager');
    const rep = await h.createUser('rep');
    const res = await h.request(manager.token, { method: 'POST', url: '/api/pipeline/stages', payload: { name: 'Negotiation', probability: 80 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: expect.any(String), version: 9 });
    const events = await h.eventStore.readStream(`pipeline-${DEFAULT_PIPELINE_ID}`);
    expect(events.at(-1)?.data).toEqual({
      pipelineId: DEFAULT_PIPELINE_ID,
      stageId: res.json().id,
      name: 'Negotiation',
      color: '#64748B',
      orderPosition: 6,
      isActive: true,
      isWon: false,
      isLost: false,
      probability: 80,
      rottingDays: null,
    });
    const dup = await h.request(h.admin.token, { method: 'POST', url: '/api/pipeline/stages', payload: { name: 'NEGOTIATION' } });
    expect(dup.statusCode).toBe(409);
    expect((await h.request(rep.token, { method: 'POST', url: '/api/pipeline/stages', payload: { name: 'Mine' } })).statusCode).toBe(403);
    const both = await h.request(h.admin.token, { method: 'POST', url: '/api/pipeline/stages', payload: { name: 'Odd', isWon: true, isLost: true } });
    expect(both.statusCode).toBe(400);
  });
});
