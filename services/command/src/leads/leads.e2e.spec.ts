import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStages, domainEvent, eventMetadata } from '@leadline/contracts';
import { SessionStore } from '@leadline/platform';
import { defaultStageId } from '../ids.ts';
import { commandConflicts } from '../metrics.ts';
import { startCommandHarness, type CommandHarness, type TestUser } from '../testing/app.ts';

const stage = (name: (typeof defaultStages)[number]['name']) => defaultStageId(defaultStages.findIndex((s) => s.name === name));

describe('lead commands over HTTP', () => {
  let h: CommandHarness;
  let manager: TestUser;
  let repA: TestUser;
  let repB: TestUser;
  let auditor: TestUser;
  let analyst: TestUser;

  beforeAll(async () => {
    h = await startCommandHarness();
    manager = await h.createUser('manager');
    repA = await h.createUser('rep');
    repB = await h.createUser('rep');
    auditor = await h.createUser('auditor');
    analyst = await h.createUser('analyst');
  });
  afterAll(() => h?.close());

  const createLead = async (user: TestUser, payload: Record<string, unknown> = { firstName: 'Ada', lastName: 'Lovelace', dealValue: 1000 }, headers: Record<string, string> = {}) =>
    h.request(user.token, { method: 'POST', url: '/api/leads', payload, headers });
  const leadEvents = async (id: string) => h.eventStore.readStream(`lead-${id}`);

  it('creates a lead: 201 with id, version and checkpoint, ETag, and an event with full metadata', async () => {
    const correlationId = crypto.randomUUID();
    const res = await createLead(repA, { firstName: 'Ada', company: 'Acme', email: ' ADA@Example.com ' }, { 'x-correlation-id': correlationId });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({ id: expect.any(String), version: 1, checkpoint: expect.stringMatching(/^[0-9]{40}$/) });
    expect(res.headers.etag).toBe('"1"');
    const [event] = await leadEvents(body.id);
    const parsed = domainEvent.parse({ type: event.type, data: event.data, metadata: event.metadata });
    expect(parsed.type).toBe('LeadCreated');
    expect(eventMetadata.parse(event.metadata)).toMatchObject({ eventId: event.eventId, correlationId, actorId: repA.id, schemaVersion: 2 });
    expect(event.metadata.causationId).toBe(event.metadata.commandId);
    expect(event.data).toMatchObject({ stageId: stage('New'), ownerId: repA.id, rank: 'V', fields: { email: 'ada@example.com', lastName: null } });
    expect(event.checkpoint).toBe(body.checkpoint);
  });

  it('accepts a client id once and refuses it again with 409', async () => {
    const id = crypto.randomUUID();
    expect((await createLead(h.admin, { id, company: 'Initech' })).json()).toMatchObject({ id, version: 1 });
    const again = await createLead(h.admin, { id, company: 'Initech' });
    expect(again.statusCode).toBe(409);
  });

  it('answers 400 naming each invalid field', async () => {
    const res = await createLead(h.admin, { firstName: 'Ada', email: 'not-an-email', dealValue: -5, phone: 'call me!', colour: 'red' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const fields = res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.email', 'body.dealValue', 'body.phone']));
    const noName = await createLead(h.admin, { city: 'Paris' });
    expect(noName.json().errors.map((e: { field: string }) => e.field)).toContain('body.lastName');
  });

  it('answers 401 without credentials and with a forged or garbage token', async () => {
    expect((await h.request(null, { method: 'POST', url: '/api/leads', payload: { company: 'X' } })).statusCode).toBe(401);
    const forged = (await new SessionStore(h.db.pool, 'another-secret-another-secret-another-secret').issue({ userId: h.admin.id, ttlSeconds: 60 })).token;
    expect((await h.request(forged, { method: 'POST', url: '/api/leads', payload: { company: 'X' } })).statusCode).toBe(401);
    expect((await h.request('garbage.token', { method: 'POST', url: '/api/leads', payload: { company: 'X' } })).statusCode).toBe(401);
    const cookie = await h.request(null, { method: 'POST', url: '/api/leads', payload: { company: 'X' }, headers: { cookie: 'leadline_session=tampered' } });
    expect(cookie.statusCode).toBe(401);
  });

  it('answers 403 to auditors and analysts, and to a rep on another rep’s lead the 404 of a missing one', async () => {
    expect((await createLead(auditor)).statusCode).toBe(403);
    const lead = (await createLead(repB)).json();
    expect((await h.request(analyst.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { city: 'Oslo' } })).statusCode).toBe(403);
    const missingId = crypto.randomUUID();
    const answer = async (id: string, method: 'PATCH' | 'PUT' | 'POST', url: string, payload: object) => {
      const res = await h.request(repA.token, { method, url: url.replace(':id', id), payload });
      const body = res.json();
      // Everything but the id itself must read the same for a hidden lead and a missing one.
      return { status: res.statusCode, type: res.headers['content-type'], body: JSON.parse(JSON.stringify(body).replaceAll(id, '<id>')) };
    };
    const stages = (await h.request(h.admin.token, { method: 'POST', url: '/api/pipeline/stages', payload: { name: `Hidden check ${missingId.slice(0, 6)}` } })).json();
    for (const [method, url, payload] of [
      ['PATCH', '/api/leads/:id', { city: 'Oslo' }],
      ['PUT', '/api/leads/:id/move-stage', { stageId: stages.id }],
      ['POST', '/api/leads/assign', { leadIds: [':id'], userId: repA.id }],
    ] as const) {
      const fill = (id: string) => JSON.parse(JSON.stringify(payload).replace(':id', id));
      const hidden = await answer(lead.id, method, url, fill(lead.id));
      const missing = await answer(missingId, method, url, fill(missingId));
      expect(hidden.status, `${method} ${url}`).toBe(404);
      expect(hidden).toEqual(missing);
    }
    expect((await createLead(repA, { company: 'Mine', ownerId: repB.id })).statusCode).toBe(403);
    expect((await h.request(manager.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { city: 'Oslo' } })).statusCode).toBe(200);
  });

  it('answers 404 for an unknown lead', async () => {
    const res = await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${crypto.randomUUID()}`, payload: { city: 'Oslo' } });
    expect(res.statusCode).toBe(404);
  });

  it('refuses an owner who may not own leads with 422 invalid-owner', async () => {
    const res = await createLead(h.admin, { company: 'Globex', ownerId: auditor.id });
    expect(res.statusCode).toBe(422);
    expect(res.json().rule).toBe('invalid-owner');
  });

  it('updates only what changes, and appends nothing when nothing changes', async () => {
    const lead = (await createLead(repA)).json();
    const res = await h.request(repA.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { firstName: 'Ada', city: 'London' } });
    expect(res.json()).toMatchObject({ id: lead.id, version: 2 });
    const same = await h.request(repA.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { city: 'London' } });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ version: 2, checkpoint: res.json().checkpoint });
    const events = await leadEvents(lead.id);
    expect(events.map((e) => e.type)).toEqual(['LeadCreated', 'LeadDetailsUpdated']);
    expect(events[1].data).toEqual({ leadId: lead.id, changes: { city: { from: null, to: 'London' } } });
  });

  it('answers 409 with currentVersion when If-Match does not match, and accepts the right version', async () => {
    const lead = (await createLead(h.admin)).json();
    await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { city: 'Rome' } });
    const stale = await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { city: 'Milan' }, headers: { 'if-match': '"1"' } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ currentVersion: 2 });
    expect(stale.headers.etag).toBe('"2"');
    for (const ifMatch of ['W/"2"']) {
      const ok = await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { city: 'Milan' }, headers: { 'if-match': ifMatch } });
      expect(ok.json()).toMatchObject({ version: 3 });
    }
    const bare = await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { city: 'Turin' }, headers: { 'if-match': '3' } });
    expect(bare.json()).toMatchObject({ version: 4 });
  });

  it('needs a reason to lose a lead, and refuses edits of a won lead until it is reopened', async () => {
    const lead = (await createLead(h.admin, { company: 'Wonka', dealValue: 2500 })).json();
    const lost = await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${lead.id}/move-stage`, payload: { stageId: stage('Lost') } });
    expect(lost.statusCode).toBe(422);
    expect(lost.json().rule).toBe('lost-reason-required');
    const won = await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${lead.id}/move-stage`, payload: { stageId: stage('Won') } });
    expect(won.json()).toMatchObject({ version: 2 });
    const edit = await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { dealValue: 1 } });
    expect(edit.statusCode).toBe(422);
    expect(edit.json()).toMatchObject({ rule: 'lead-closed', detail: expect.stringContaining('reopen') });
    await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${lead.id}/move-stage`, payload: { stageId: stage('Proposal') } });
    expect((await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { dealValue: 1 } })).statusCode).toBe(200);
    const events = await leadEvents(lead.id);
    expect(events[1].data).toMatchObject({ toStageId: stage('Won'), wonValue: 2500, lostReason: null });
    expect(events[2].data).toMatchObject({ fromStageId: stage('Won'), toStageId: stage('Proposal'), wonValue: null });
    const unknown = await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${lead.id}/move-stage`, payload: { stageId: crypto.randomUUID() } });
    expect(unknown.json().rule).toBe('unknown-stage');
  });

  it('places a moved card between the neighbours named in the move', async () => {
    const [a, b, c] = [await createLead(h.admin), await createLead(h.admin), await createLead(h.admin)].map((r) => r.json().id as string);
    const to = stage('Contacted');
    await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${a}/move-stage`, payload: { stageId: to } });
    await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${b}/move-stage`, payload: { stageId: to, afterLeadId: a } });
    await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${c}/move-stage`, payload: { stageId: to, afterLeadId: a, beforeLeadId: b } });
    const rank = async (id: string) => ((await leadEvents(id)).at(-1)?.data as { rank: string }).rank;
    const [ra, rb, rc] = [await rank(a), await rank(b), await rank(c)];
    expect(ra < rc && rc < rb).toBe(true);
    const again = await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${c}/move-stage`, payload: { stageId: to, afterLeadId: a, beforeLeadId: b } });
    expect(again.json().version).toBe(2);
  });

  it('lets concurrent moves of one lead without If-Match all succeed by retrying', async () => {
    const retried = async () => (await commandConflicts.get()).values.find((v) => v.labels.outcome === 'retried')?.value ?? 0;
    const retriedBefore = await retried();
    const lead = (await createLead(h.admin)).json();
    const targets = ['Qualified', 'Contacted', 'Proposal', 'Won', 'Lost'] as const;
    const results = await Promise.all(
      targets.map((name) => h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${lead.id}/move-stage`, payload: { stageId: stage(name), lostReason: 'went quiet' } })),
    );
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(results.map((r) => r.json().version).sort()).toEqual([2, 3, 4, 5, 6]);
    expect(await leadEvents(lead.id)).toHaveLength(6);
    expect(await retried()).toBeGreaterThan(retriedBefore);
  });

  it('assigns several leads at once, validating all before appending any', async () => {
    const [x, y] = [(await createLead(h.admin)).json().id, (await createLead(h.admin)).json().id];
    const missing = crypto.randomUUID();
    const notFound = await h.request(manager.token, { method: 'POST', url: '/api/leads/assign', payload: { leadIds: [x, missing], userId: repA.id } });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json().detail).toContain(missing);
    expect(await leadEvents(x)).toHaveLength(1);
    const invalid = await h.request(manager.token, { method: 'POST', url: '/api/leads/assign', payload: { leadIds: [x, y], userId: analyst.id } });
    expect(invalid.json().rule).toBe('invalid-owner');
    const res = await h.request(manager.token, { method: 'POST', url: '/api/leads/assign', payload: { leadIds: [x, y], userId: repA.id, reason: 'territory' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.results).toEqual([
      { id: x, version: 2, checkpoint: expect.any(String) },
      { id: y, version: 2, checkpoint: expect.any(String) },
    ]);
    expect(body.checkpoint).toBe([body.results[0].checkpoint, body.results[1].checkpoint].sort().at(-1));
    expect((await leadEvents(y))[1].data).toEqual({ leadId: y, previousOwnerId: null, ownerId: repA.id, reason: 'territory', via: 'manual', ruleId: null, ruleName: null, matched: [] });
    const hidden = await h.request(repB.token, { method: 'POST', url: '/api/leads/assign', payload: { leadIds: [x], userId: repB.id } });
    expect(hidden.statusCode).toBe(404);
    const unchanged = await h.request(manager.token, { method: 'POST', url: '/api/leads/assign', payload: { leadIds: [x], userId: repA.id } });
    expect(unchanged.json().results[0].version).toBe(2);
  });

  it('puts a new card above the top card the read model knows about', async () => {
    const stageRes = await h.request(h.admin.token, { method: 'POST', url: '/api/pipeline/stages', payload: { name: 'Demo booked' } });
    const stageId = stageRes.json().id;
    await h.db.pool.query(`CREATE SCHEMA IF NOT EXISTS read; CREATE TABLE IF NOT EXISTS read.leads (id uuid PRIMARY KEY, stage_id uuid, rank text COLLATE "C")`);
    await h.db.pool.query('INSERT INTO read.leads (id, stage_id, rank) VALUES ($1, $2, $3)', [crypto.randomUUID(), stageId, 'V']);
    const lead = (await createLead(h.admin, { company: 'Top', stageId })).json();
    expect((await leadEvents(lead.id))[0].data).toMatchObject({ stageId, rank: 'G' });
  });
});
