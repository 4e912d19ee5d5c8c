import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssignmentHistoryEntry, CommandAccepted, LeadDto, RuleDto, WorkloadRow } from '@leadline/contracts';
import { routeLead } from '@leadline/command';
import { PostgresEventStore } from '@leadline/eventstore';
import { startTestStack, type TestStack } from './support/stack.ts';

type Problem = { errors: { field: string; message: string }[] };

/** Teams, rules, the routing process manager, history and workload over HTTP on the whole product. */
describe('lead assignment and routing over HTTP', () => {
  let s: TestStack;
  let admin: string;
  let last = '';
  const reps: string[] = [];
  let teamId = '';
  const call = async <T>(method: string, url: string, body?: unknown, token = admin) => {
    const res = await s.api<T>(method, url, token, body);
    const cp = (res.body as { checkpoint?: string } | undefined)?.checkpoint;
    if (res.status < 300 && cp && cp > last) last = cp;
    return res;
  };
  /** A read at the latest checkpoint seen; on a loaded machine the 2 s minCheckpoint wait can end stale, so ask again. */
  const fresh = async <T>(url: string) => {
    for (let i = 0; ; i++) {
      const res = await call<T>('GET', `${url}${url.includes('?') ? '&' : '?'}minCheckpoint=${last}`);
      if (!(res.body as { stale?: boolean }).stale || i >= 10) return res;
    }
  };
  const newLead = async (fields: Record<string, unknown>) => (await call<CommandAccepted>('POST', '/api/leads', { company: `Co ${crypto.randomUUID().slice(0, 6)}`, ...fields })).body.id;
  /** The routing process manager works after the creation is acknowledged: wait for its history entry. */
  const routed = async (leadId: string): Promise<AssignmentHistoryEntry> => {
    for (let i = 0; i < 200; i++) {
      const h = await call<{ items: AssignmentHistoryEntry[] }>('GET', `/api/leads/${leadId}/assignment-history`);
      if (h.status !== 404 && h.status !== 200) throw new Error(`history answered ${h.status}: ${JSON.stringify(h.body)}`);
      if (h.status === 200 && h.body.items.length) return h.body.items[0];
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`lead ${leadId} was not routed`);
  };
  const assignedEvents = async () => Number((await s.db.pool.query(`SELECT count(*) FROM es.events WHERE type = 'LeadAssigned'`)).rows[0].count);

  beforeAll(async () => {
    s = await startTestStack();
    admin = await s.login('admin@test.local', s.adminPassword);
    for (const name of ['Ana', 'Ben', 'Cleo']) {
      const r = await call<CommandAccepted>('POST', '/api/users', { email: `${name.toLowerCase()}@test.local`, name, role: 'rep', password: 'password-123' });
      reps.push(r.body.id);
    }
  });
  afterAll(() => s?.close());

  it('creates teams and refuses members who cannot own leads, naming them', async () => {
    const t = await call<CommandAccepted>('POST', '/api/teams', { name: 'DACH', memberIds: reps });
    expect(t.status).toBe(201);
    teamId = t.body.id;
    const bad = await call<Problem>('POST', '/api/teams', { name: 'Ghosts', memberIds: [reps[0], crypto.randomUUID()] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(['body.memberIds.1']);
    const teams = await call<{ id: string; memberIds: string[] }[]>('GET', `/api/teams?minCheckpoint=${last}`);
    expect(teams.body).toEqual([expect.objectContaining({ id: teamId, name: 'DACH', memberIds: reps })]);
  });

  it('refuses invalid rules with the wrong field named, and changes nothing', async () => {
    const before = (await call<RuleDto[]>('GET', '/api/assignments/rules')).body.length;
    const wrongField = await call<Problem>('POST', '/api/assignments/rules', { name: 'x', priority: 1, conditions: { all: [{ field: 'colour', operator: 'equals', value: 'red' }] }, assignmentType: 'round_robin', teamId });
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.errors[0].field).toBe('body.conditions.all.0.field');
    const wrongType = await call<Problem>('POST', '/api/assignments/rules', { name: 'x', priority: 1, conditions: { any: [{ field: 'dealValue', operator: 'gt', value: 'lots' }] }, assignmentType: 'round_robin', teamId });
    expect(wrongType.body.errors[0].field).toBe('body.conditions.any.0.value');
    const noTeam = await call<Problem>('POST', '/api/assignments/rules', { name: 'x', priority: 1, conditions: { all: [] }, assignmentType: 'team', teamId: crypto.randomUUID() });
    expect(noTeam.status).toBe(400);
    expect(noTeam.body.errors.map((e) => e.field)).toEqual(['body.teamId']);
    expect((await call<RuleDto[]>('GET', `/api/assignments/rules?minCheckpoint=${last}`)).body.length).toBe(before);
  });

  it('routes new leads by the first matching rule, round robin fairly, and explains it', async () => {
    const rr = await call<CommandAccepted>('POST', '/api/assignments/rules', {
      name: 'DACH round robin',
      priority: 20,
      conditions: { all: [{ field: 'country', operator: 'in', value: ['DE', 'AT', 'CH'] }] },
      assignmentType: 'round_robin',
      teamId,
    });
    expect(rr.status).toBe(201);
    const vip = await call<CommandAccepted>('POST', '/api/assignments/rules', {
      name: 'Big deals to Cleo',
      priority: 10,
      conditions: { all: [{ field: 'dealValue', operator: 'gte', value: 100000 }] },
      assignmentType: 'specific_user',
      userId: reps[2],
    });
    expect(vip.status).toBe(201);
    const rules = (await call<RuleDto[]>('GET', `/api/assignments/rules?minCheckpoint=${last}`)).body;
    expect(rules.map((r) => r.name)).toEqual(['Big deals to Cleo', 'DACH round robin']);

    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await newLead({ country: i % 2 ? 'DE' : 'AT' }));
    const owners: (string | null)[] = [];
    for (const id of ids) owners.push((await routed(id)).ownerId);
    const counts = reps.map((r) => owners.filter((o) => o === r).length);
    expect(counts).toEqual([2, 2, 2]);

    const big = await newLead({ country: 'DE', dealValue: 250000 });
    const entry = await routed(big);
    expect(entry).toMatchObject({ kind: 'assigned', ownerId: reps[2], via: 'rule', ruleName: 'Big deals to Cleo', matched: ['dealValue ≥ 100000'], previousOwnerId: null, actorId: 'system:routing' });
    expect(entry.summary).toBe('Assigned to Cleo by rule "Big deals to Cleo" (dealValue ≥ 100000); previously unassigned');
    // The history and the lead card are two projections: the card may apply the assignment a moment later.
    await expect.poll(async () => (await call<LeadDto>('GET', `/api/leads/${big}`)).body.ownerId, { timeout: 10_000 }).toBe(reps[2]);

    const elsewhere = await newLead({ country: 'FR' });
    expect(await routed(elsewhere)).toMatchObject({ kind: 'unrouted', ownerId: null, reason: 'no active rule matched the lead' });
  });

  it('skips away and capped reps; an away period that has ended counts for nothing', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await call('PUT', `/api/users/${reps[0]}/availability`, { status: 'away', until: future })).status).toBe(200);
    expect((await call('PUT', `/api/users/${reps[1]}/capacity`, { maxOpenLeads: 2 })).status).toBe(200);
    expect((await call('PUT', `/api/users/${reps[2]}/availability`, { status: 'away', from: new Date(Date.now() - 7_200_000).toISOString(), until: past })).status).toBe(200);
    const bad = await call<Problem>('PUT', `/api/users/${reps[2]}/availability`, { status: 'away', from: future, until: past });
    expect(bad.body.errors.map((e) => e.field)).toEqual(['body.until']);
    const owners: (string | null)[] = [];
    for (let i = 0; i < 3; i++) owners.push((await routed(await newLead({ country: 'CH' }))).ownerId);
    expect(owners).toEqual([reps[2], reps[2], reps[2]]);

    // The routing manager's assignments reach the assignment history (what routed() waits for) and
    // the lead cards (what the workload counts) through two projections: wait for the cards too.
    const workloadOf = async () => new Map((await fresh<{ items: WorkloadRow[] }>('/api/assignments/workload')).body.items.map((w) => [w.userId, w]));
    await expect.poll(async () => (await workloadOf()).get(reps[2])?.openLeads, { timeout: 10_000 }).toBe(6);
    const byId = await workloadOf();
    expect(byId.get(reps[0])).toMatchObject({ availability: 'away', awayUntil: future, openLeads: 2, teamIds: [teamId] });
    expect(byId.get(reps[1])).toMatchObject({ availability: 'available', maxOpenLeads: 2, openLeads: 2 });
    expect(byId.get(reps[2])).toMatchObject({ availability: 'available', openLeads: 6, totalValue: 250000 });
    // A rep (who sees only their own leads) sees only their own row, not their colleagues' totals.
    const cleo = await s.login('cleo@test.local', 'password-123');
    const own = await s.api<{ items: WorkloadRow[] }>('GET', `/api/assignments/workload?minCheckpoint=${last}`, cleo);
    expect(own.status).toBe(200);
    expect(own.body.items.map((w) => w.userId)).toEqual([reps[2]]);
    expect(own.body.items[0]).toMatchObject({ openLeads: 6, totalValue: 250000 });
    await call('PUT', `/api/users/${reps[0]}/availability`, { status: 'available' });
    await call('PUT', `/api/users/${reps[1]}/capacity`, { maxOpenLeads: null });
  });

  it('manual assignments are recorded as by hand with the previous owner', async () => {
    const id = await newLead({ country: 'DE' });
    const first = await routed(id);
    await call('POST', '/api/leads/assign', { leadIds: [id], userId: reps[1], reason: 'knows them' });
    const h = await fresh<{ items: AssignmentHistoryEntry[] }>(`/api/leads/${id}/assignment-history`);
    expect(h.body.items[0]).toMatchObject({ via: 'manual', ownerId: reps[1], previousOwnerId: first.ownerId, actorName: 'Admin' === h.body.items[0].actorName ? 'Admin' : expect.any(String), reason: 'knows them' });
    expect(h.body.items).toHaveLength(2);
  });

  it('replaying the log or racing a second process never assigns twice or differently', async () => {
    const before = await assignedEvents();
    const ownersBefore = (await s.db.pool.query(`SELECT id, owner_id FROM read.leads ORDER BY id`)).rows;
    await s.db.pool.query(`UPDATE projector.process_managers SET checkpoint = '' WHERE name = 'routing'`);
    // A second router working the same leads at the same time, as another replica would.
    const store = await PostgresEventStore.create(s.db.pool, s.db.url);
    const created = (await s.db.pool.query(`SELECT event_id, data, metadata, stream_id FROM es.events WHERE type = 'LeadCreated' ORDER BY global_position`)).rows;
    await Promise.all(
      created.map((e) => routeLead(store, s.db.pool, { id: e.event_id, leadId: e.data.leadId, at: e.metadata.occurredAt, correlationId: e.metadata.correlationId, via: 'rule' })),
    );
    const probe = await newLead({ country: 'AT' });
    await routed(probe);
    expect(await assignedEvents()).toBe(before + 1);
    const ownersAfter = (await s.db.pool.query(`SELECT id, owner_id FROM read.leads WHERE id <> $1 ORDER BY id`, [probe])).rows;
    expect(ownersAfter).toEqual(ownersBefore);
  });

  it('auto-assign runs the rules over unassigned leads and reports each', async () => {
    const orphan = await newLead({ country: 'FR' });
    await routed(orphan);
    await call('PATCH', `/api/leads/${orphan}`, { country: 'DE' });
    const r = await call<{ results: { leadId: string; outcome: string; ownerId: string | null; ruleName: string | null }[] }>('POST', '/api/leads/auto-assign', { leadIds: [orphan] });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([expect.objectContaining({ leadId: orphan, outcome: 'assigned', ruleName: 'DACH round robin' })]);
    const h = await fresh<{ items: AssignmentHistoryEntry[] }>(`/api/leads/${orphan}/assignment-history`);
    expect(h.body.items[0]).toMatchObject({ via: 'auto_assign', ruleName: 'DACH round robin', matched: ['country is one of DE, AT, CH'] });
  });
});
