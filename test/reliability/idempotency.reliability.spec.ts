import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { eventCount, report, scale, stagesOf } from './support.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('reliability: idempotency', () => {
  it('the same Idempotency-Key sent repeatedly and concurrently yields exactly one set of events', async () => {
    const token = await stack.login('admin@test.local', stack.adminPassword);
    const stages = await stagesOf<StageDto>(stack.api, token);
    const keys = scale(4, 40);
    const copies = scale(8, 25);
    let requests = 0;
    let replayed = 0;
    let differingAnswers = 0;
    let extraEvents = 0;
    for (let k = 0; k < keys; k++) {
      const key = `reliability-${k}-${Math.random().toString(36).slice(2)}`;
      const before = await eventCount(stack.pool);
      // Creates (the id comes from the key), then a move of that lead, each sent `copies` times at once and again afterwards.
      const create = () => stack.api<{ id: string }>('POST', '/api/leads', token, { company: `Idem ${k}` }, { 'idempotency-key': key });
      const answers = [...(await Promise.all(Array.from({ length: copies }, create))), await create()];
      const leadId = answers[0].body.id;
      const move = () => stack.api('PUT', `/api/leads/${leadId}/move-stage`, token, { stageId: stages[1].id }, { 'idempotency-key': `${key}-move` });
      const moves = [...(await Promise.all(Array.from({ length: copies }, move))), await move()];
      for (const group of [answers, moves]) {
        requests += group.length;
        replayed += group.filter((a) => a.headers.get('idempotency-replayed') === 'true').length;
        differingAnswers += group.filter((a) => a.status !== group[0].status || JSON.stringify(a.body) !== JSON.stringify(group[0].body)).length;
        expect(group.every((a) => a.status === group[0].status && a.status < 300)).toBe(true);
      }
      const appended = (await eventCount(stack.pool)) - before;
      extraEvents += appended - 2;
      const stream = await stack.pool.query(`SELECT type FROM es.events WHERE stream_id = $1 ORDER BY stream_version`, [`lead-${leadId}`]);
      expect(stream.rows.map((r) => r.type)).toEqual(['LeadCreated', 'LeadMovedToStage']);
    }
    report('idempotency', { keys: keys * 2, requests, replayed, differingAnswers, extraEvents });
    expect(differingAnswers).toBe(0);
    expect(extraEvents).toBe(0);
    expect(replayed).toBe(requests - keys * 2);
  });
});
