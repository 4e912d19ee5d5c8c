import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailStream, reservationEventId } from './users/accounts.ts';
import { DEFAULT_PIPELINE_ID, commandIdFor, entityIdFor } from './ids.ts';
import { startCommandHarness, type CommandHarness } from './testing/app.ts';

describe('command handler: idempotency, metrics, OpenAPI', () => {
  let h: CommandHarness;
  beforeAll(async () => {
    h = await startCommandHarness();
  });
  afterAll(() => h?.close());

  const countEvents = async (type: string) => Number((await h.db.pool.query('SELECT count(*) FROM es.events WHERE type = $1', [type])).rows[0].count);
  const post = (url: string, payload: unknown, key?: string, token = h.admin.token) =>
    h.request(token, { method: 'POST', url, payload: payload as Record<string, unknown>, headers: key ? { 'idempotency-key': key } : {} });

  it('replays the first answer for a repeated key and appends once', async () => {
    const key = `create-${crypto.randomUUID()}`;
    const first = await post('/api/leads', { company: 'Once Ltd' }, key);
    const second = await post('/api/leads', { company: 'Once Ltd' }, key);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotency-replayed']).toBe('true');
    expect(second.headers.etag).toBe('"1"');
    expect(await h.eventStore.readStream(`lead-${first.json().id}`)).toHaveLength(1);
    expect(first.json().id).toBe(entityIdFor(commandIdFor(h.admin.id, key)));
  });

  it('refuses the same key with a different request with 422 idempotency-key-reused', async () => {
    const key = `reuse-${crypto.randomUUID()}`;
    expect((await post('/api/leads', { company: 'First' }, key)).statusCode).toBe(201);
    const other = await post('/api/leads', { company: 'Second' }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json().rule).toBe('idempotency-key-reused');
  });

  it('keeps keys per user', async () => {
    const rep = await h.createUser('rep');
    const key = `shared-${crypto.randomUUID()}`;
    const a = await post('/api/leads', { company: 'Per user' }, key);
    const b = await post('/api/leads', { company: 'Per user' }, key, rep.token);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).not.toBe(a.json().id);
  });

  it('turns 20 concurrent identical requests into one set of events', async () => {
    const before = await countEvents('LeadCreated');
    const key = `burst-${crypto.randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('/api/leads', { company: 'Burst' }, key)));
    expect(new Set(answers.map((a) => a.statusCode))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(await countEvents('LeadCreated')).toBe(before + 1);

    const id = answers[0].json().id;
    const patchKey = `patch-${crypto.randomUUID()}`;
    const patches = await Promise.all(
      Array.from({ length: 20 }, () => h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${id}`, payload: { city: 'Lyon' }, headers: { 'idempotency-key': patchKey } })),
    );
    expect(patches.every((p) => p.statusCode === 200 && p.json().version === 2)).toBe(true);
    expect(await h.eventStore.readStream(`lead-${id}`)).toHaveLength(2);
  });

  it('stores only successful answers, so a refused request may be corrected under the same key', async () => {
    const lead = (await post('/api/leads', { company: 'Retry Inc' })).json();
    const key = `lost-${crypto.randomUUID()}`;
    const stages = (await h.eventStore.readStream(`pipeline-${DEFAULT_PIPELINE_ID}`)).map((e) => e.data as { stageId?: string; isLost?: boolean });
    const lostStage = stages.find((d) => d.isLost)?.stageId;
    const refused = await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${lead.id}/move-stage`, payload: { stageId: lostStage }, headers: { 'idempotency-key': key } });
    expect(refused.statusCode).toBe(422);
    const fixed = await h.request(h.admin.token, { method: 'PUT', url: `/api/leads/${lead.id}/move-stage`, payload: { stageId: lostStage, lostReason: 'budget' }, headers: { 'idempotency-key': key } });
    expect(fixed.statusCode).toBe(200);
  });

  it('answers a command the store already holds even when its answer was never recorded', async () => {
    const key = `lost-answer-${crypto.randomUUID()}`;
    const first = await post('/api/leads', { company: 'Crashed' }, key);
    await h.db.pool.query('DELETE FROM cmd.idempotency WHERE key = $1', [key]);
    const again = await post('/api/leads', { company: 'Crashed' }, key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await h.eventStore.readStream(`lead-${first.json().id}`)).toHaveLength(1);
  });

  it('finishes a user creation that died between reserving the email and creating the user', async () => {
    const key = `user-${crypto.randomUUID()}`;
    const email = `half.done.${Date.now()}@example.com`;
    const commandId = commandIdFor(h.admin.id, key);
    const userId = entityIdFor(commandId);
    const eventId = reservationEventId(email, userId);
    await h.eventStore.append(
      emailStream(email),
      [
        {
          eventId,
          type: 'UserEmailReserved',
          data: { userId, email },
          metadata: { eventId, commandId, correlationId: commandId, causationId: commandId, actorId: h.admin.id, occurredAt: new Date().toISOString(), schemaVersion: 1 },
        },
      ],
      'no_stream',
    );
    const res = await post('/api/users', { email, name: 'Half Done', role: 'rep', password: 'long-enough-password' }, key);
    expect(res.statusCode).toBe(201);
    expect(res.json().id).toBe(userId);
    expect(await h.eventStore.readStream(emailStream(email))).toHaveLength(1);
    expect((await h.login(email, 'long-enough-password', '10.1.1.1')).statusCode).toBe(200);
  });

  it('validates the Idempotency-Key and If-Match headers', async () => {
    const long = await post('/api/leads', { company: 'Bad key' }, 'k'.repeat(201));
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0].field).toContain('idempotency-key');
    const lead = (await post('/api/leads', { company: 'Bad if-match' })).json();
    const bad = await h.request(h.admin.token, { method: 'PATCH', url: `/api/leads/${lead.id}`, payload: { city: 'Nice' }, headers: { 'if-match': 'yesterday' } });
    expect(bad.statusCode).toBe(400);
  });

  it('exposes command metrics', async () => {
    const res = await h.request(h.admin.token, { method: 'GET', url: '/api/metrics' });
    expect(res.body).toContain('leadline_command_duration_seconds_bucket{le="0.005",command="CreateLead",outcome="accepted"}');
    expect(res.body).toContain('leadline_append_duration_seconds');
    expect(res.body).toMatch(/leadline_command_conflicts_total/);
  });

  it('documents every write route with its answers in OpenAPI', async () => {
    const doc = (await h.request(h.admin.token, { method: 'GET', url: '/api/docs/json' })).json();
    for (const [path, method] of [
      ['/api/leads', 'post'],
      ['/api/leads/{id}', 'patch'],
      ['/api/leads/{id}/move-stage', 'put'],
      ['/api/leads/assign', 'post'],
      ['/api/users', 'post'],
      ['/api/pipeline/stages', 'post'],
      ['/api/auth/login', 'post'],
      ['/api/auth/logout', 'post'],
    ]) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
      expect(Object.keys(doc.paths[path][method].responses).length).toBeGreaterThanOrEqual(path === '/api/auth/logout' ? 1 : 4);
    }
    expect(doc.paths['/api/leads/assign'].post.description).toContain('exception');
    expect(Object.keys(doc.paths['/api/leads/{id}'].patch.responses)).toEqual(['200', '400', '401', '403', '404', '409', '422', '503']);
    expect(doc.paths['/api/leads/{id}'].patch.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['if-match', 'idempotency-key', 'id']));
  });
});
