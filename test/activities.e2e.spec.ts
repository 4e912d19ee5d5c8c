import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDto, ActivityTemplateDto, Board, CommandAccepted, ServerMessage, TimelinePage } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

type Page = { items: ActivityDto[]; nextCursor: string | null; checkpoint: string; stale: boolean };

/** Activities and the timeline over HTTP, through command, projector and query. */
describe('activities and timeline over HTTP', () => {
  let s: TestStack;
  let admin: string;
  let rep: string;
  let repId: string;
  let otherRep: string;
  let auditor: string;
  let leadId: string;
  let otherLeadId: string;
  let last = '';

  const post = async (url: string, token: string, body: unknown, status = 201) => {
    const res = await s.api<CommandAccepted & { errors?: { field: string }[] }>('POST', url, token, body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (res.body.checkpoint && res.body.checkpoint > last) last = res.body.checkpoint;
    return res.body;
  };
  const put = async (url: string, token: string, body: unknown, status = 200) => {
    const res = await s.api<CommandAccepted>('PUT', url, token, body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (res.body.checkpoint && res.body.checkpoint > last) last = res.body.checkpoint;
    return res.body;
  };
  const list = async (query: string, token = admin, base = '/api/activities') => {
    // As the web app does: a read that waited ~2 s for the projections and still answers stale (a busy machine) is asked again.
    for (let attempt = 0; ; attempt++) {
      const res = await s.api<Page>('GET', `${base}?minCheckpoint=${last}&${query}`, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      if (!res.body.stale || attempt >= 4) {
        expect(res.body.stale).toBe(false);
        return res.body;
      }
    }
  };
  const timeline = async (query = '', token = admin, id = leadId) => {
    const res = await s.api<TimelinePage>('GET', `/api/leads/${id}/timeline?minCheckpoint=${last}&${query}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    s = await startTestStack();
    admin = await s.login('admin@test.local', s.adminPassword);
    const mk = async (email: string, role: string) => {
      const created = await post('/api/users', admin, { email, name: email.split('@')[0], role, password: 'password-123456' });
      return { id: created.id, token: await s.login(email, 'password-123456') };
    };
    const r = await mk('rita@test.local', 'rep');
    rep = r.token;
    repId = r.id;
    otherRep = (await mk('otto@test.local', 'rep')).token;
    auditor = (await mk('audrey@test.local', 'auditor')).token;
    leadId = (await post('/api/leads', admin, { firstName: 'Grace', lastName: 'Hopper', ownerId: repId })).id;
    otherLeadId = (await post('/api/leads', admin, { company: 'Bletchley' })).id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('logs every type, refuses bad input naming each field, and refuses unknown leads and strangers', async () => {
    await post('/api/activities', rep, { type: 'call', leadId, subject: 'Intro call', details: { direction: 'outbound' }, completion: { outcome: 'successful', durationMinutes: 7 } });
    await post('/api/activities', rep, { type: 'email', leadId, subject: 'Proposal sent', description: 'pricing attached', details: { to: ['grace@navy.mil'] } });
    await post('/api/activities', rep, { type: 'meeting', leadId, subject: 'Demo', scheduledAt: '2099-01-02T10:00:00Z', details: { attendees: ['Grace'], location: 'Pentagon' } });
    await post('/api/activities', rep, { type: 'note', leadId, subject: 'Budget approved' });
    await post('/api/activities', rep, { type: 'task', leadId, subject: 'Send contract', scheduledAt: '2099-01-01T09:00:00Z', details: { priority: 'high' } });
    await post('/api/activities', rep, { type: 'sms', leadId, subject: 'Running late', details: { phoneNumber: '+1 555 0100' } });

    const bad = await post('/api/activities', rep, { type: 'call', leadId, subject: '', details: { direction: 'up' }, completion: { outcome: 'held' } }, 400);
    expect(bad.errors!.map((e) => e.field).sort()).toEqual(['body.completion.outcome', 'body.details.direction', 'body.subject']);
    await post('/api/activities', rep, { type: 'note', leadId: '00000000-0000-4000-8000-000000000000', subject: 'x' }, 404);
    // Another rep's lead answers as a missing one: hidden and missing are indistinguishable.
    await post('/api/activities', otherRep, { type: 'note', leadId, subject: 'not mine' }, 404);
    await post('/api/activities', auditor, { type: 'note', leadId, subject: 'auditors only read' }, 403);
    expect((await list(`leadId=${leadId}`)).items).toHaveLength(6);
  });

  it('bulk logs all or nothing, naming each failing item', async () => {
    const refused = await post('/api/activities/bulk', rep, { activities: [{ type: 'note', leadId, subject: 'ok' }, { type: 'note', leadId: otherLeadId, subject: 'fine' }, { type: 'note', leadId: '00000000-0000-4000-8000-000000000000', subject: 'nope' }] }, 400);
    expect(refused.errors!.map((e) => e.field)).toEqual(['body.activities.2.leadId']);
    const invalid = await post('/api/activities/bulk', rep, { activities: [{ type: 'note', leadId, subject: 'ok' }, { type: 'call', leadId, subject: 'x', completion: { outcome: 'nope' } }] }, 400);
    expect(invalid.errors!.map((e) => e.field)).toEqual(['body.activities.1.completion.outcome']);
    expect((await list(`leadId=${leadId}&q=ok`)).items).toHaveLength(0);
    const done = (await post('/api/activities/bulk', rep, { activities: [{ type: 'note', leadId, subject: 'Bulk one' }, { type: 'note', leadId: otherLeadId, subject: 'Bulk two' }] }, 200)) as unknown as { results: CommandAccepted[] };
    expect(done.results).toHaveLength(2);
    expect((await list('q=bulk')).items.map((a) => a.subject).sort()).toEqual(['Bulk one', 'Bulk two']);
    // Paging a search: the first page fills inside the newest-rows window, the last one comes through the GIN index.
    const first = await list('q=bulk&limit=1');
    expect(first.items).toHaveLength(1);
    const second = await list(`q=bulk&limit=1&cursor=${first.nextCursor}`);
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((a) => a.subject).sort()).toEqual(['Bulk one', 'Bulk two']);
    // A rep who sees only their own leads finds only what they may see.
    expect((await list('q=bulk', otherRep)).items.map((a) => a.subject)).toEqual(['Bulk two']);
  });

  it('filters by lead, user, type, time, completion and text, and pages with a cursor', async () => {
    expect((await list('type=call,sms')).items.map((a) => a.type).sort()).toEqual(['call', 'sms']);
    expect((await list('completed=true')).items.map((a) => a.subject)).toEqual(['Intro call']);
    expect((await list('q=pric')).items.map((a) => a.subject)).toEqual(['Proposal sent']);
    expect((await list('q=budget appr')).items.map((a) => a.subject)).toEqual(['Budget approved']);
    expect((await list(`userId=${repId}&type=task`)).items).toHaveLength(1);
    expect((await list('from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z')).items).toHaveLength(0);
    const upcoming = await list('order=scheduled&completed=false&from=2026-01-01T00:00:00Z');
    expect(upcoming.items.map((a) => a.subject)).toEqual(['Send contract', 'Demo']);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Page = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(8);
    expect((await list('', admin, `/api/leads/${leadId}/activities`)).items).toHaveLength(7);
    expect((await list('', admin, `/api/users/${repId}/activities`)).items).toHaveLength(8);
    expect((await s.api('GET', '/api/activities?cursor=garbage', admin)).status).toBe(400);
    expect((await s.api('GET', '/api/activities?type=fax', admin)).status).toBe(400);
    expect((await s.api('GET', `/api/leads/${leadId}/activities`, otherRep)).status).toBe(404);
  });

  it("refuses a rep a colleague's activity on an unassigned lead, which both can see", async () => {
    const [bulkTwo] = (await list('q=bulk two')).items;
    expect(bulkTwo.leadId).toBe(otherLeadId);
    expect((await list('q=bulk two', otherRep)).items.map((a) => a.id)).toEqual([bulkTwo.id]);
    for (const [method, url, body] of [
      ['PUT', `/api/activities/${bulkTwo.id}`, { subject: 'taken over' }],
      ['PUT', `/api/activities/${bulkTwo.id}/complete`, { outcome: null }],
      ['DELETE', `/api/activities/${bulkTwo.id}`, { reason: 'not yours' }],
    ] as const) {
      const res = await s.api(method, url, otherRep, body);
      expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(403);
    }
    expect((await list('q=bulk two')).items.map((a) => [a.subject, a.completedAt, a.deletedAt])).toEqual([['Bulk two', null, null]]);
  });

  it('edits, completes and deletes; a deletion stays visible to auditors', async () => {
    const [call] = (await list('type=call')).items;
    await put(`/api/activities/${call.id}`, rep, { subject: 'Discovery call', details: { direction: 'inbound' } });
    expect((await s.api('PUT', `/api/activities/${call.id}`, rep, { details: { attendees: [] } })).status).toBe(400);
    const [task] = (await list('type=task')).items;
    expect((await s.api('PUT', `/api/activities/${task.id}/complete`, rep, { outcome: 'successful' })).status).toBe(400);
    await put(`/api/activities/${task.id}/complete`, rep, { outcome: 'done', durationMinutes: 15 });
    const [sms] = (await list('type=sms')).items;
    const stranger = await s.api('DELETE', `/api/activities/${sms.id}`, otherRep);
    expect(stranger.status, JSON.stringify(stranger.body)).toBe(404);
    await put(`/api/activities/${sms.id}`, rep, { subject: 'Running very late' });
    const del = await s.api<CommandAccepted>('DELETE', `/api/activities/${sms.id}`, rep, { reason: 'sent to the wrong lead' });
    expect(del.status).toBe(200);
    last = del.body.checkpoint;
    expect((await s.api('PUT', `/api/activities/${sms.id}`, rep, { subject: 'again' })).status).toBe(422);
    expect((await list('type=sms')).items).toHaveLength(0);
    expect((await list('type=sms&includeDeleted=true', auditor)).items.map((a) => a.deletedAt !== null)).toEqual([true]);
    expect((await list('type=task&completed=true')).items.map((a) => [a.outcome, a.durationMinutes])).toEqual([['done', 15]]);

    const forRep = (await timeline('kinds=sms', rep)).items[0];
    expect(forRep.summary).toBe('SMS deleted by rita');
    expect(forRep.activity?.subject).toBeNull();
    expect(forRep.raw).toBeNull();
    const forAuditor = (await timeline('kinds=sms', auditor)).items[0];
    expect(forAuditor.activity).toMatchObject({ subject: 'Running very late', deletedByName: 'rita', edited: true });
    expect(forAuditor.raw!.map((e) => e.type)).toEqual(['ActivityLogged', 'ActivityUpdated', 'ActivityDeleted']);
  });

  it('merges lead events and activities newest first, in words, filtered by kind and paged', async () => {
    const board = await s.api<Board>('GET', `/api/pipeline/board?minCheckpoint=${last}`, admin);
    const proposal = board.body.columns.find((c) => c.name === 'Proposal')!.id;
    const won = board.body.columns.find((c) => c.name === 'Won')!.id;
    await put(`/api/leads/${leadId}/move-stage`, rep, { stageId: proposal });
    const patched = await s.api<CommandAccepted>('PATCH', `/api/leads/${leadId}`, rep, { title: 'Rear Admiral' });
    last = patched.body.checkpoint;
    await put(`/api/leads/${leadId}/move-stage`, rep, { stageId: won });
    await post('/api/activities', rep, { type: 'note', leadId, subject: 'Won and still talking' });

    const all = await timeline('limit=200');
    expect(all.items[0].summary).toBe('Note: Won and still talking (open)');
    expect(all.items[1].summary).toMatch(/^Won.*Won$/);
    expect(all.items.map((e) => e.summary)).toContain('Moved from New to Proposal');
    expect(all.items.find((e) => e.kind === 'updated')).toMatchObject({ summary: 'Changed title', changes: [{ field: 'title', from: null, to: 'Rear Admiral' }], actorName: 'rita' });
    expect(all.items[all.items.length - 1]).toMatchObject({ kind: 'created', eventType: 'LeadCreated' });
    expect(all.items.find((e) => e.kind === 'call')!.summary).toBe('Call: Discovery call (successful, 7 min)');
    const positions = all.items.map((e) => e.position);
    expect([...positions].sort().reverse()).toEqual(positions);

    expect((await timeline('kinds=stage')).items.every((e) => e.kind === 'stage')).toBe(true);
    const pages: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: TimelinePage = await timeline(`limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    }
    expect(pages).toEqual(all.items.map((e) => e.id));
    const since = await timeline(`changedSince=${all.items[1].position}`);
    expect(since.items.map((e) => e.id)).toEqual([all.items[0].id]);
    expect((await s.api('GET', `/api/leads/${leadId}/timeline`, otherRep)).status).toBe(404);
    expect((await s.api('GET', `/api/leads/${leadId}/timeline?kinds=nope`, admin)).status).toBe(400);
  });

  it('lets managers manage templates, not reps', async () => {
    const created = await post('/api/activity-templates', admin, { name: 'Discovery call', type: 'call', subject: 'Discovery call', durationMinutes: 30, details: { direction: 'outbound' } });
    await post('/api/activity-templates', rep, { name: 'Mine', type: 'note', subject: 'x' }, 403);
    await post('/api/activity-templates', admin, { name: 'Bad', type: 'call', subject: 'x', details: { priority: 'high' } }, 400);
    await put(`/api/activity-templates/${created.id}`, admin, { name: 'Discovery call (30 min)', type: 'call', subject: 'Discovery call', durationMinutes: 30 });
    const res = await s.api<ActivityTemplateDto[]>('GET', `/api/activity-templates?minCheckpoint=${last}`, rep);
    expect(res.body.map((t) => t.name)).toEqual(['Discovery call (30 min)']);
    const del = await s.api<CommandAccepted>('DELETE', `/api/activity-templates/${created.id}`, admin);
    expect(del.status).toBe(200);
    expect((await s.api<ActivityTemplateDto[]>('GET', `/api/activity-templates?minCheckpoint=${del.body.checkpoint}`, rep)).body).toEqual([]);
  });

  it('tells a lead channel subscriber live that the timeline changed', async () => {
    const ws = new WebSocket(s.url.replace('http', 'ws') + '/api/live', { headers: { authorization: `Bearer ${rep}` } });
    const messages: ServerMessage[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await expect.poll(() => messages.some((m) => m.type === 'ready')).toBe(true);
    ws.send(JSON.stringify({ type: 'subscribe', channels: [`lead:${leadId}`, 'me'] }));
    await expect.poll(() => messages.some((m) => m.type === 'subscribed')).toBe(true);
    const logged = await post('/api/activities', admin, { type: 'note', leadId, subject: 'Live note' });
    await expect.poll(() => messages.find((m) => m.type === 'timeline' && m.channel !== 'me'), { timeout: 10_000 }).toMatchObject({ channel: `lead:${leadId}`, checkpoint: logged.checkpoint });
    // The Activities page follows `me`: it hears of every activity change, and refetches its own scoped list.
    await expect.poll(() => messages.find((m) => m.type === 'timeline' && m.channel === 'me'), { timeout: 10_000 }).toMatchObject({ checkpoint: logged.checkpoint });
    ws.close();
  });
});
