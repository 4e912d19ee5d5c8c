import crypto from 'node:crypto';
import { completeLeadFields, eventDataSchemas, type EventType } from '@leadline/contracts';
import type { NewEvent } from '@leadline/eventstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommandHarness, type CommandHarness, type TestUser } from '../testing/app.ts';

/** An event as the code before encryption stored it: version 1, personal values in clear. */
const clearEvent = (type: EventType, data: object): NewEvent => {
  const eventId = crypto.randomUUID();
  return { eventId, type, data, metadata: { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actorId: 'legacy', occurredAt: new Date().toISOString(), schemaVersion: 1 } };
};

describe('POST /api/leads/:id/forget', () => {
  let h: CommandHarness;
  let manager: TestUser;
  let rep: TestUser;
  let auditor: TestUser;

  beforeAll(async () => {
    h = await startCommandHarness();
    [manager, rep, auditor] = [await h.createUser('manager'), await h.createUser('rep'), await h.createUser('auditor')];
  });
  afterAll(() => h?.close());

  const createLead = async (payload: object = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000', company: 'Engines' }, headers = {}) => {
    const res = await h.request(h.admin.token, { method: 'POST', url: '/api/leads', payload, headers });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const forget = (user: TestUser, id: string, payload: object = { reason: 'erasure request #17' }) => h.request(user.token, { method: 'POST', url: `/api/leads/${id}/forget`, payload });
  const raw = async (where: string, params: unknown[]) => (await h.db.pool.query<{ t: string }>(`SELECT e::text AS t FROM es.events e WHERE ${where}`, params)).rows.map((r) => r.t).join('\n');

  it('refuses everyone but admins, a missing or empty reason (naming the field), and an unknown lead', async () => {
    const id = await createLead();
    for (const user of [manager, rep, auditor]) expect((await forget(user, id)).statusCode, user.role).toBe(403);
    for (const payload of [{}, { reason: '  ' }, { reason: 'x', extra: 1 }]) {
      const res = await forget(h.admin, id, payload);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual([Object.keys(payload).includes('extra') ? 'body' : 'body.reason']);
    }
    expect((await forget(h.admin, crypto.randomUUID())).statusCode).toBe(404);
    expect((await h.eventStore.readStream(`lead-${id}`)).map((e) => e.type)).toEqual(['LeadCreated']);
  });

  it('destroys the key, records who and why, and leaves the lead readable only as "Erased"; again is a no-op', async () => {
    const id = await createLead();
    const activity = await h.request(h.admin.token, { method: 'POST', url: '/api/activities', payload: { type: 'note', leadId: id, subject: 'Ada called', description: 'Ada wants the engine' } });
    expect(activity.statusCode).toBe(201);
    expect(await raw('stream_id = $1', [`lead-${id}`])).not.toContain('Lovelace');

    const res = await forget(h.admin, id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, version: 2, checkpoint: expect.any(String), rewrittenEvents: 0, plaintextEventsLeft: 0 });
    const events = await h.eventStore.readStream(`lead-${id}`);
    expect(events.map((e) => e.type)).toEqual(['LeadCreated', 'LeadForgotten']);
    expect(events[1]).toMatchObject({ data: { leadId: id, reason: 'erasure request #17' }, metadata: { actorId: h.admin.id } });
    expect(events[0].data).toMatchObject({ fields: { firstName: 'Erased', lastName: null, email: null, phone: null, company: 'Engines' } });
    const [logged] = await h.eventStore.readStream(`activity-${activity.json<{ id: string }>().id}`);
    expect(logged.data).toMatchObject({ subject: 'Erased', description: null });
    const key = await h.db.pool.query('SELECT wrapped, erased_at FROM keyring.data_keys WHERE key_id = $1', [id]);
    expect(key.rows[0].wrapped).toBeNull();

    const again = await forget(h.admin, id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ version: 2 });
  });

  it('refuses new personal data for a forgotten lead (422 lead-forgotten); its non-personal fields still change', async () => {
    const id = await createLead();
    expect((await forget(h.admin, id)).statusCode).toBe(200);
    const rename = await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${id}`, payload: { firstName: 'Ada' } });
    expect(rename.statusCode).toBe(422);
    expect(rename.json()).toMatchObject({ rule: 'lead-forgotten' });
    const note = await h.request(h.admin.token, { method: 'POST', url: '/api/activities', payload: { type: 'note', leadId: id, subject: 'About Ada' } });
    expect(note.statusCode).toBe(422);
    expect((await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${id}`, payload: { company: 'Engines Ltd', dealValue: 900 } })).statusCode).toBe(200);
  });

  it('rewrites in place the events stored in clear before encryption', async () => {
    const id = crypto.randomUUID();
    const activityId = crypto.randomUUID();
    const { stageId, pipelineId } = (await h.eventStore.readStream(`lead-${await createLead({ company: 'Probe' })}`))[0].data as { stageId: string; pipelineId: string };
    const fields = completeLeadFields({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.mil', phone: '+1 555 0100', company: 'Navy' });
    await h.eventStore.inner.append(`lead-${id}`, [clearEvent('LeadCreated', { leadId: id, pipelineId, stageId, rank: 'a', ownerId: null, fields }), clearEvent('LeadDetailsUpdated', { leadId: id, changes: { lastName: { from: 'Hopper', to: 'Murray' } } })], 'no_stream');
    await h.eventStore.inner.append(`activity-${activityId}`, [clearEvent('ActivityLogged', {
      activityId, leadId: id, type: 'call', userId: h.admin.id, subject: 'Call Grace', description: 'Grace likes COBOL', scheduledAt: null,
      details: { direction: 'outbound', phoneNumber: '+1 555 0100' }, completion: null, templateId: null,
    })], 'no_stream');
    // The projector would have put the activity into read.activities long ago; forgetting finds the lead's activities there.
    await h.db.pool.query('CREATE SCHEMA IF NOT EXISTS read; CREATE TABLE IF NOT EXISTS read.activities (id uuid PRIMARY KEY, lead_id uuid NOT NULL)');
    await h.db.pool.query('INSERT INTO read.activities (id, lead_id) VALUES ($1, $2)', [activityId, id]);
    expect(eventDataSchemas.LeadCreated.version).toBe(2);

    const res = await forget(h.admin, id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rewrittenEvents: 3, plaintextEventsLeft: 0 });
    const text = await raw('stream_id = ANY($1)', [[`lead-${id}`, `activity-${activityId}`]]);
    for (const s of ['Grace', 'Hopper', 'Murray', 'grace@navy.mil', '555 0100', 'COBOL']) expect(text, s).not.toContain(s);
    expect(text).toContain('Navy');
    // The audit record reaches the chain through the outbox, a moment after the answer.
    const forgets = async () => (await h.eventStore.readAll({ types: ['AuditRecorded'], limit: 10_000 })).map((e) => e.data).filter((d) => (d as { subject?: { id?: string } }).subject?.id === id);
    await expect.poll(forgets, { timeout: 10_000 }).toEqual([expect.objectContaining({ kind: 'forget', subject: { type: 'lead', id }, detail: { reason: 'erasure request #17' } })]);
  });

  it("purges the idempotency store's entries about the lead", async () => {
    const key = `create-${crypto.randomUUID()}`;
    const id = await createLead(undefined, { 'idempotency-key': key });
    const count = async () => Number((await h.db.pool.query('SELECT count(*) FROM cmd.idempotency WHERE key = $1', [key])).rows[0].count);
    expect(await count()).toBe(1);
    expect((await forget(h.admin, id)).statusCode).toBe(200);
    expect(await count()).toBe(0);
  });
});
