import crypto from 'node:crypto';
import { completeLeadFields, type ActivityDto, type Board, type CommandAccepted, type ForgetLeadAnswer, type LeadDto, type TimelinePage } from '@leadline/contracts';
import type { NewEvent, SealingEventStore } from '@leadline/eventstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/stack.ts';

/** A person's data, each string unusual enough that finding it anywhere means it was not erased. */
const person = {
  firstName: 'Zelphine',
  lastName: 'Quarrington',
  renamed: 'Fairweather-Quill',
  email: 'zelphine.q@forget-me.example',
  phone: '+44 20 7946 0321',
  description: 'Discussed the orrery restoration budget',
  note: 'Prefers calls after nine, cat named Bartleby',
  outcome: 'Promised a signed Vexmoor contract',
  callNumber: '+44 20 7946 0999',
};
/** Someone whose events were stored in clear, before encryption. */
const legacy = { firstName: 'Ottoline', lastName: 'Brackenridge', email: 'ottoline.b@old-crm.example', phone: '+1 555 0177', description: 'Old note about the Harrowgate merger' };

/**
 * Forgetting a person (issue 11): after POST /api/leads/:id/forget and the projector catching up, no
 * row of any table of the database (the event store, the read models, the idempotency store, the
 * audit trail...) contains any of the person's strings, whether their events were sealed or stored
 * in clear before encryption; the lead's non-personal history stays, and its name reads "Erased".
 */
describe('forget this person, end to end', () => {
  let s: TestStack;
  let admin: string;
  let rep: string;
  let leadId: string;
  let legacyId: string;
  let last = '';
  let stageIds: string[] = [];

  const send = async <T = CommandAccepted>(method: string, url: string, token: string, body: unknown, status = method === 'POST' ? 201 : 200, headers: Record<string, string> = {}) => {
    const res = await s.api<T & { checkpoint?: string }>(method, url, token, body, headers);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (res.body?.checkpoint && res.body.checkpoint > last) last = res.body.checkpoint;
    return res.body;
  };

  /** Every projection has applied everything up to `checkpoint`. */
  const caughtUp = async (checkpoint: string) => {
    for (const deadline = Date.now() + 60_000; ; ) {
      const { rows } = await s.pool.query<{ behind: number }>('SELECT count(*)::int AS behind FROM projector.projections WHERE checkpoint < $1', [checkpoint]);
      if (rows[0].behind === 0) return;
      if (Date.now() > deadline) throw new Error(`projections did not reach ${checkpoint}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  /** Every table of every schema, each row as text: where each string is still found. */
  const scan = async (strings: string[]): Promise<string[]> => {
    const { rows: tables } = await s.pool.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    );
    expect(tables.map((t) => `${t.schema}.${t.name}`)).toEqual(expect.arrayContaining(['es.events', 'keyring.data_keys', 'cmd.idempotency']));
    const found: string[] = [];
    for (const t of tables) {
      const table = `"${t.schema.replace(/"/g, '""')}"."${t.name.replace(/"/g, '""')}"`;
      for (const value of strings) {
        const pattern = `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const { rows } = await s.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} t WHERE t::text ILIKE $1`, [pattern]);
        if (rows[0].n > 0) found.push(`${t.schema}.${t.name}: ${value} (${rows[0].n})`);
      }
    }
    return found;
  };

  beforeAll(async () => {
    s = await startTestStack();
    admin = await s.login('admin@test.local', s.adminPassword);
    const created = await send('POST', '/api/users', admin, { email: 'rhea@test.local', name: 'Rhea', role: 'rep', password: 'password-123456' });
    rep = await s.login('rhea@test.local', 'password-123456');
    const board = await s.api<Board>('GET', '/api/pipeline/board', admin);
    stageIds = board.body.columns.map((c) => c.id);

    const { firstName, lastName, email, phone } = person;
    leadId = (await send('POST', '/api/leads', admin, { firstName, lastName, email, phone, company: 'Orrery Works', dealValue: 4200, ownerId: created.id }, 201, { 'idempotency-key': `lead-${crypto.randomUUID()}` })).id;
    await send('PATCH', `/api/leads/${leadId}`, admin, { lastName: person.renamed, city: 'Bath' });
    await send('PUT', `/api/leads/${leadId}/move-stage`, admin, { stageId: stageIds[1] });
    await send('POST', '/api/activities', rep, { type: 'call', leadId, subject: `Call ${firstName}`, description: person.description, details: { direction: 'outbound', phoneNumber: person.callNumber }, completion: { outcome: 'successful', durationMinutes: 12 } });
    await send('POST', '/api/activities', rep, { type: 'email', leadId, subject: `Quote for ${lastName}`, description: person.description, details: { to: [email] } });
    const note = await send('POST', '/api/activities', rep, { type: 'note', leadId, subject: 'Preferences', description: person.note });
    await send('PUT', `/api/activities/${note.id}/complete`, rep, { outcome: person.outcome });

    // A lead written before encryption: version 1 events in clear, straight into the store under the sealing one.
    const inner = (s.eventStore as SealingEventStore).inner;
    legacyId = crypto.randomUUID();
    const activityId = crypto.randomUUID();
    const clear = (type: string, data: object): NewEvent => {
      const eventId = crypto.randomUUID();
      return { eventId, type, data, metadata: { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actorId: 'legacy', occurredAt: new Date().toISOString(), schemaVersion: 1 } };
    };
    const pipelineId = board.body.pipelineId;
    await inner.append(`lead-${legacyId}`, [clear('LeadCreated', { leadId: legacyId, pipelineId, stageId: stageIds[0], rank: 'a', ownerId: null, fields: completeLeadFields({ firstName: legacy.firstName, lastName: legacy.lastName, email: legacy.email, phone: legacy.phone, company: 'Harrowgate' }) })], 'no_stream');
    const old = await inner.append(`activity-${activityId}`, [clear('ActivityLogged', { activityId, leadId: legacyId, type: 'note', userId: created.id, subject: `About ${legacy.firstName}`, description: legacy.description, scheduledAt: null, details: { pinned: false }, completion: null, templateId: null })], 'no_stream');
    if (old.checkpoint > last) last = old.checkpoint;
    await caughtUp(last);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('holds the personal data (decrypted) in the read models before: the scan finds it', async () => {
    const found = await scan([person.firstName, person.description, legacy.email]);
    expect(found.some((f) => f.startsWith('read.leads'))).toBe(true);
    expect(found.some((f) => f.startsWith('read.activities'))).toBe(true);
    // Sealed in the event store; only the legacy lead is there in clear.
    expect(found.filter((f) => f.startsWith('es.events'))).toEqual([`es.events: ${legacy.email} (1)`]);
  });

  it('refuses a non-admin, and a forget without a reason', async () => {
    expect((await s.api('POST', `/api/leads/${leadId}/forget`, rep, { reason: 'asked' })).status).toBe(403);
    const missing = await s.api<{ errors: { field: string }[] }>('POST', `/api/leads/${leadId}/forget`, admin, {});
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e) => e.field)).toEqual(['body.reason']);
  });

  it('after forgetting, no table of the database holds any of the personal strings', async () => {
    const answer = await send<ForgetLeadAnswer>('POST', `/api/leads/${leadId}/forget`, admin, { reason: 'GDPR erasure request #117' }, 200);
    expect(answer).toMatchObject({ id: leadId, rewrittenEvents: 0, plaintextEventsLeft: 0 });
    const old = await send<ForgetLeadAnswer>('POST', `/api/leads/${legacyId}/forget`, admin, { reason: 'GDPR erasure request #118' }, 200);
    expect(old).toMatchObject({ rewrittenEvents: 2, plaintextEventsLeft: 0 });
    await caughtUp(last);
    expect(await scan([...Object.values(person), ...Object.values(legacy)])).toEqual([]);
  });

  it('keeps the non-personal history, and shows the name as "Erased" on the lead, the board, the timeline and the activities', async () => {
    const lead = await s.api<LeadDto>('GET', `/api/leads/${leadId}?minCheckpoint=${last}`, admin);
    expect(lead.body).toMatchObject({ firstName: 'Erased', lastName: null, email: null, phone: null, company: 'Orrery Works', city: 'Bath', dealValue: 4200, stageId: stageIds[1] });
    expect(lead.body.forgottenAt).toEqual(expect.any(String));
    const board = await s.api<Board>('GET', `/api/pipeline/board?minCheckpoint=${last}`, admin);
    const card = board.body.columns.flatMap((c) => c.cards).find((c) => c.id === leadId);
    expect(card).toMatchObject({ firstName: 'Erased', lastName: null, dealValue: 4200 });
    const timeline = await s.api<TimelinePage>('GET', `/api/leads/${leadId}/timeline?minCheckpoint=${last}&limit=50`, admin);
    expect(timeline.body.items.map((e) => e.kind)).toEqual(expect.arrayContaining(['other', 'stage', 'call', 'email', 'note', 'updated', 'created']));
    expect(timeline.body.items.find((e) => e.eventType === 'LeadForgotten')?.summary).toBe("Erased this person's personal data: GDPR erasure request #117");
    expect(timeline.body.items.filter((e) => e.activity).map((e) => e.activity?.subject)).toEqual(['Erased', 'Erased', 'Erased']);
    const activities = await s.api<{ items: ActivityDto[] }>('GET', `/api/activities?leadId=${leadId}&minCheckpoint=${last}`, admin);
    expect(activities.body.items.map((a) => [a.leadName, a.subject, a.description])).toEqual([
      ['Erased', 'Erased', null],
      ['Erased', 'Erased', null],
      ['Erased', 'Erased', null],
    ]);
    expect(activities.body.items.find((a) => a.type === 'call')).toMatchObject({ outcome: 'successful', durationMinutes: 12 });
  });
});
