import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { headCheckpoint, report, scale, stagesOf, waitForProjections } from './support.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('reliability: concurrency', () => {
  it('conflicting commands on the same leads: every answer 2xx or 409, no lost update', async () => {
    const token = await stack.login('admin@test.local', stack.adminPassword);
    const stages = (await stagesOf<StageDto>(stack.api, token)).filter((s) => !s.isWon && !s.isLost);
    const users: string[] = [];
    for (const name of ['ann', 'bob', 'cyd']) users.push((await stack.api<{ id: string }>('POST', '/api/users', token, { email: `${name}@t.local`, name, role: 'rep', password: 'a-long-password' })).body.id);
    const leadCount = scale(3, 10);
    const clients = scale(12, 40);
    const rounds = scale(4, 15);
    const leads: string[] = [];
    for (let i = 0; i < leadCount; i++) leads.push((await stack.api<{ id: string }>('POST', '/api/leads', token, { company: `Contended ${i}` })).body.id);

    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let r = 0; r < rounds; r++) {
          const lead = leads[(c + r) % leads.length];
          const pick = (c * 7 + r * 3) % 4;
          let res;
          if (pick === 0) res = await stack.api('PUT', `/api/leads/${lead}/move-stage`, token, { stageId: stages[(c + r) % stages.length].id });
          else if (pick === 1) res = await stack.api('POST', '/api/leads/assign', token, { leadIds: [lead], userId: users[(c + r) % users.length] });
          else if (pick === 2) res = await stack.api('PATCH', `/api/leads/${lead}`, token, { dealValue: c * 100 + r });
          else {
            // A stale If-Match: the client edits what it last saw.
            const seen = await stack.api<{ version: number }>('GET', `/api/leads/${lead}`, token);
            res = await stack.api('PATCH', `/api/leads/${lead}`, token, { title: `t${c}-${r}` }, { 'if-match': `"${seen.body.version ?? 1}"` });
          }
          count(res.status);
        }
      }),
    );
    const bad = [...statuses.entries()].filter(([s]) => !(s >= 200 && s < 300) && s !== 409);
    expect(bad).toEqual([]);

    // The read model must equal a fold of each lead's events.
    await waitForProjections(stack.pool, await headCheckpoint(stack.pool));
    let mismatches = 0;
    for (const id of leads) {
      const { rows: events } = await stack.pool.query(`SELECT type, data, stream_version FROM es.events WHERE stream_id = $1 ORDER BY stream_version`, [`lead-${id}`]);
      const fold = { stage_id: null as string | null, owner_id: null as string | null, deal_value: null as number | null, title: null as string | null, version: 0 };
      for (const e of events) {
        fold.version = e.stream_version;
        if (e.type === 'LeadCreated') Object.assign(fold, { stage_id: e.data.stageId, owner_id: e.data.ownerId, deal_value: e.data.fields.dealValue, title: e.data.fields.title });
        if (e.type === 'LeadMovedToStage') fold.stage_id = e.data.toStageId;
        if (e.type === 'LeadAssigned') fold.owner_id = e.data.ownerId;
        if (e.type === 'LeadDealValueChanged') fold.deal_value = e.data.to;
        if (e.type === 'LeadDetailsUpdated') {
          if (e.data.changes.dealValue !== undefined) fold.deal_value = e.data.changes.dealValue.to;
          if (e.data.changes.title !== undefined) fold.title = e.data.changes.title.to;
        }
      }
      const { rows } = await stack.pool.query(`SELECT stage_id, owner_id, deal_value::float AS deal_value, title, version FROM read.leads WHERE id = $1`, [id]);
      if (JSON.stringify(rows[0]) !== JSON.stringify(fold)) mismatches++;
      expect(rows[0]).toEqual(fold);
    }
    const accepted = [...statuses.entries()].filter(([s]) => s < 300).reduce((n, [, v]) => n + v, 0);
    report('concurrency', { clients, leads: leadCount, commands: clients * rounds, accepted, conflicts409: statuses.get(409) ?? 0, other: bad.length, lostUpdates: mismatches });
  });
});
