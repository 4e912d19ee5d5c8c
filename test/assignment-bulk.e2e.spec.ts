import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssignmentHistoryEntry, BulkAssignLine, CommandAccepted, LeadDto, RedistributionDto, RedistributionPlan, SimulationResult } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

type Problem = { errors: { field: string; message: string }[] };

/** Bulk assignment (streamed progress), redistribution with undo, and the what-if simulation, over HTTP. */
describe('bulk assignment, redistribution and simulation over HTTP', () => {
  let s: TestStack;
  let admin: string;
  let last = '';
  const reps: string[] = [];
  const call = async <T>(method: string, url: string, body?: unknown, token = admin) => {
    const res = await s.api<T>(method, url, token, body);
    const cp = (res.body as { checkpoint?: string } | undefined)?.checkpoint;
    if (res.status < 300 && cp && cp > last) last = cp;
    return res;
  };
  const newLead = async (fields: Record<string, unknown>) => (await call<CommandAccepted>('POST', '/api/leads', { company: `Co ${crypto.randomUUID().slice(0, 6)}`, ...fields })).body.id;
  const owner = async (id: string) => (await call<LeadDto>('GET', `/api/leads/${id}?minCheckpoint=${last}`)).body.ownerId;
  const bulk = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${s.url}/api/leads/bulk-assign`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 200) return { status: res.status, lines: [] as BulkAssignLine[], problem: JSON.parse(text) as Problem };
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as BulkAssignLine);
    const done = lines.at(-1);
    if (done?.type === 'done' && done.checkpoint > last) last = done.checkpoint;
    return { status: res.status, lines, problem: null };
  };

  beforeAll(async () => {
    s = await startTestStack();
    admin = await s.login('admin@test.local', s.adminPassword);
    for (const name of ['Ana', 'Ben', 'Cleo']) reps.push((await call<CommandAccepted>('POST', '/api/users', { email: `${name.toLowerCase()}@test.local`, name, role: 'rep', password: 'password-123' })).body.id);
  });
  afterAll(() => s?.close());

  it('bulk-assigns named leads with progress and a per-lead report, all-or-nothing per lead', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await newLead({ source: 'fair' }));
    const ghost = crypto.randomUUID();
    const r = await bulk({ leadIds: [...ids, ghost], userId: reps[0], reason: 'trade fair' });
    expect(r.status).toBe(200);
    expect(r.lines[0]).toMatchObject({ type: 'started', total: 31 });
    const progress = r.lines.filter((l) => l.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ done: 31, total: 31 });
    const done = r.lines.at(-1) as Extract<BulkAssignLine, { type: 'done' }>;
    expect(done).toMatchObject({ type: 'done', total: 31, assigned: 30, unchanged: 0, failed: 1 });
    expect(done.results.find((x) => x.leadId === ghost)).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('not found') });
    expect(await owner(ids[7])).toBe(reps[0]);
    const h = await call<{ items: AssignmentHistoryEntry[] }>('GET', `/api/leads/${ids[7]}/assignment-history?minCheckpoint=${last}`);
    expect(h.body.items[0]).toMatchObject({ via: 'manual', ownerId: reps[0], reason: 'trade fair' });
  });

  it('bulk-assigns by a filter, and a retry with the same Idempotency-Key assigns nothing twice', async () => {
    const key = crypto.randomUUID();
    const first = await bulk({ filter: { source: 'fair' }, userId: reps[1] }, { 'idempotency-key': key });
    expect(first.lines.at(-1)).toMatchObject({ type: 'done', total: 30, assigned: 30 });
    const events = Number((await s.db.pool.query(`SELECT count(*) FROM es.events WHERE type = 'LeadAssigned'`)).rows[0].count);
    const again = await bulk({ filter: { source: 'fair' }, userId: reps[1] }, { 'idempotency-key': key });
    expect(again.lines.at(-1)).toMatchObject({ type: 'done', total: 30, assigned: 30, failed: 0 });
    expect(Number((await s.db.pool.query(`SELECT count(*) FROM es.events WHERE type = 'LeadAssigned'`)).rows[0].count)).toBe(events);
  });

  it('refuses bad bulk requests naming the field, changing nothing', async () => {
    const both = await bulk({ leadIds: [crypto.randomUUID()], filter: {}, userId: reps[0] });
    expect(both.status).toBe(400);
    expect(both.problem?.errors.map((e) => e.field)).toEqual(['body.leadIds']);
    const noOwner = await bulk({ filter: { source: 'fair' }, userId: crypto.randomUUID() });
    expect(noOwner.status).toBe(400);
    expect(noOwner.problem?.errors.map((e) => e.field)).toEqual(['body.userId']);
    const rep = await s.login('ana@test.local', 'password-123');
    const res = await fetch(`${s.url}/api/leads/bulk-assign`, { method: 'POST', headers: { authorization: `Bearer ${rep}`, 'content-type': 'application/json' }, body: JSON.stringify({ filter: {}, userId: reps[0] }) });
    expect(res.status).toBe(403);
  });

  it('redistributes an away rep\'s leads by the rules (dry run, confirm), then undoes it where nothing changed since', async () => {
    const team = await call<CommandAccepted>('POST', '/api/teams', { name: 'Floor', memberIds: reps });
    await call('POST', '/api/assignments/rules', { name: 'Everyone', priority: 10, conditions: { all: [] }, assignmentType: 'round_robin', teamId: team.body.id });
    // Ben holds the 30 fair leads; he goes away.
    await call('PUT', `/api/users/${reps[1]}/availability`, { status: 'away' });
    const dry = await call<RedistributionPlan>('POST', '/api/assignments/redistribute', { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.sources).toEqual([expect.objectContaining({ userId: reps[1], why: 'away' })]);
    expect(dry.body.moves).toHaveLength(30);
    const to = dry.body.moves.map((m) => m.toUserId);
    expect(to.filter((u) => u === reps[0]).length).toBe(15);
    expect(to.filter((u) => u === reps[2]).length).toBe(15);
    expect(dry.body.moves[0]).toMatchObject({ fromUserId: reps[1], fromName: 'Ben', ruleName: 'Everyone' });
    // A dry run writes nothing.
    const sample = dry.body.moves[0].leadId;
    expect(await owner(sample)).toBe(reps[1]);

    const moves = dry.body.moves.map(({ leadId, fromUserId, toUserId }) => ({ leadId, fromUserId, toUserId }));
    const badConfirm = await call<Problem>('POST', '/api/assignments/redistribute', { dryRun: false, redistributionId: dry.body.redistributionId, moves: [{ ...moves[0], toUserId: crypto.randomUUID() }] });
    expect(badConfirm.status).toBe(400);
    expect(badConfirm.body.errors.map((e) => e.field)).toEqual(['body.moves.0.toUserId']);
    const run = await call<RedistributionPlan>('POST', '/api/assignments/redistribute', { dryRun: false, redistributionId: dry.body.redistributionId, moves });
    expect(run.status).toBe(200);
    expect(run.body.results?.filter((r) => r.outcome === 'moved')).toHaveLength(30);
    expect(run.body.moves[0]).toMatchObject({ leadId: moves[0].leadId, fromName: 'Ben', leadName: dry.body.moves[0].leadName });
    const moved = await call<{ items: AssignmentHistoryEntry[] }>('GET', `/api/leads/${sample}/assignment-history?minCheckpoint=${last}`);
    expect(moved.body.items[0]).toMatchObject({ via: 'redistribution', previousOwnerId: reps[1], ownerId: moves[0].toUserId });
    const events = await s.db.pool.query(`SELECT count(*) FROM es.events WHERE type = 'LeadAssigned' AND metadata->>'correlationId' = $1`, [dry.body.redistributionId]);
    expect(Number(events.rows[0].count)).toBe(30);
    // Every move by the round-robin rule took its turn: the stored cursor now stands at the last move's target.
    const turns = async () => (await s.db.pool.query<{ user_id: string }>(`SELECT data->>'userId' AS user_id FROM es.events WHERE type = 'RoundRobinTurnTaken' AND metadata->>'correlationId' = $1 ORDER BY global_position`, [dry.body.redistributionId])).rows.map((r) => r.user_id);
    expect(await turns()).toEqual(moves.map((m) => m.toUserId));
    const cursor = await s.db.pool.query<{ user_id: string; stream_id: string }>(`SELECT data->>'userId' AS user_id, stream_id FROM es.events WHERE type = 'RoundRobinTurnTaken' ORDER BY global_position DESC LIMIT 1`);
    expect(cursor.rows[0].user_id).toBe(moves[29].toUserId);
    const recorded = await s.db.pool.query<{ data: { moves: { ruleName: string | null }[] } }>(`SELECT data FROM es.events WHERE stream_id = $1`, [`redistribution-${dry.body.redistributionId}`]);
    expect(recorded.rows[0].data.moves.every((m) => m.ruleName === 'Everyone')).toBe(true);
    // Confirming again moves nothing twice.
    const rerun = await call<RedistributionPlan>('POST', '/api/assignments/redistribute', { dryRun: false, redistributionId: dry.body.redistributionId, moves });
    expect(rerun.body.results?.filter((r) => r.outcome === 'moved')).toHaveLength(30);
    const after = await s.db.pool.query(`SELECT count(*) FROM es.events WHERE type = 'LeadAssigned' AND metadata->>'correlationId' = $1`, [dry.body.redistributionId]);
    expect(Number(after.rows[0].count)).toBe(30);
    expect(await turns()).toHaveLength(30);

    // Someone reassigns one lead by hand: the undo leaves that one alone.
    const touched = moves[1].leadId;
    await call('POST', '/api/leads/assign', { leadIds: [touched], userId: reps[0], reason: 'asked for it' });
    const undo = await call<{ results: { leadId: string; outcome: string; reason: string | null }[] }>('POST', `/api/assignments/redistributions/${dry.body.redistributionId}/undo`);
    expect(undo.status).toBe(200);
    expect(undo.body.results.filter((r) => r.outcome === 'restored')).toHaveLength(29);
    expect(undo.body.results.find((r) => r.leadId === touched)).toMatchObject({ outcome: 'skipped', reason: 'its owner changed since the redistribution' });
    expect(await owner(sample)).toBe(reps[1]);
    expect(await owner(touched)).toBe(reps[0]);
    const list = await call<RedistributionDto[]>('GET', `/api/assignments/redistributions?minCheckpoint=${last}`);
    expect(list.body[0]).toMatchObject({ id: dry.body.redistributionId, moves: 30, restored: 29, undoneAt: expect.any(String) });
    const twice = await call<{ results: unknown[] }>('POST', `/api/assignments/redistributions/${dry.body.redistributionId}/undo`);
    expect(twice.body.results).toEqual(undo.body.results);
    expect((await call('POST', `/api/assignments/redistributions/${crypto.randomUUID()}/undo`)).status).toBe(404);
    await call('PUT', `/api/users/${reps[1]}/availability`, { status: 'available' });
  });

  it('simulates a draft rule set over a past period from the log, writing nothing', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const before = await s.db.pool.query(`SELECT count(*) FROM es.events`);
    const draft = [{ name: 'All to Cleo', priority: 1, conditions: { all: [{ field: 'source', operator: 'equals', value: 'fair' }] }, assignmentType: 'specific_user', userId: reps[2] }];
    const r = await call<SimulationResult>('POST', '/api/assignments/rules/simulate', { rules: draft, from, to });
    expect(r.status).toBe(200);
    expect(r.body.leads).toBe(30);
    const cleo = r.body.byUser.find((u) => u.userId === reps[2]);
    expect(cleo).toMatchObject({ name: 'Cleo', simulated: 30, actual: 0 });
    // The fair leads were first assigned to Ana by the first bulk assignment.
    expect(r.body.byUser.find((u) => u.userId === reps[0])).toMatchObject({ actual: 30, simulated: 0 });
    expect(r.body.changed).toBe(30);
    expect(r.body.byRule).toEqual([{ ruleName: 'All to Cleo', simulated: 30 }]);
    expect((await s.db.pool.query(`SELECT count(*) FROM es.events`)).rows[0].count).toBe(before.rows[0].count);
    const bad = await call<Problem>('POST', '/api/assignments/rules/simulate', { rules: [{ ...draft[0], conditions: { all: [{ field: 'dealValue', operator: 'gt', value: 'x' }] } }], from: to, to: from });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field).sort()).toEqual(['body.rules.0.conditions.all.0.value', 'body.to']);
  });
});
