import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommandHarness, type CommandHarness } from './testing/app.ts';

/** Raw JSON text with a `\ud800` escape: JSON.parse gives a string with a lone surrogate, which jsonb refuses. */
describe('unpaired UTF-16 surrogates in command bodies', () => {
  let h: CommandHarness;
  let leadId: string;
  beforeAll(async () => {
    h = await startCommandHarness();
    leadId = (await h.request(h.admin.token, { method: 'POST', url: '/api/leads', payload: { company: 'Surrogate Ltd' } })).json().id;
  });
  afterAll(() => h?.close());

  const send = (method: 'POST' | 'PATCH' | 'PUT', url: string, raw: string, token: string | null = h.admin.token) =>
    h.request(token, { method, url, payload: raw, headers: { 'content-type': 'application/json' } });

  // Audit records (the harness's sign-in) are chained in the background: count the domain's events only.
  const domainEvents = async () => Number((await h.db.pool.query(`SELECT count(*) FROM es.events WHERE stream_id NOT LIKE 'audit%'`)).rows[0].count);

  it('answers 400 problem+json naming the field, on every kind of write, and appends nothing', async () => {
    const before = await domainEvents();
    for (const [method, url, raw, field] of [
      ['POST', '/api/leads', '{"company":"Acme \\ud800"}', 'body.company'],
      ['POST', '/api/leads', '{"company":"Acme","customFields":{"tier":"\\udfff gold"}}', 'body.customFields.tier'],
      ['PATCH', `/api/leads/${leadId}`, '{"customFields":{"\\ud83d":"x"}}', 'body.customFields'],
      ['POST', '/api/activities', `{"type":"note","leadId":"${leadId}","subject":"ok","description":"bad \\udc00"}`, 'body.description'],
      ['POST', '/api/pipeline/stages', '{"name":"Stage \\ud800"}', 'body.name'],
      ['POST', '/api/teams', '{"name":"\\ud800","memberIds":[]}', 'body.name'],
      ['POST', '/api/auth/login', '{"email":"a\\ud800@example.com","password":"whatever-password"}', 'body.email'],
    ] as const) {
      const res = await send(method, url, raw, url === '/api/auth/login' ? null : h.admin.token);
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors, `${method} ${url}`).toEqual([{ field, message: expect.stringContaining('unpaired UTF-16 surrogate') }]);
    }
    expect(await domainEvents()).toBe(before);
  });

  it('keeps paired surrogates (emoji) and stores them', async () => {
    const res = await send('POST', '/api/leads', '{"company":"Smile \\ud83d\\ude00 Ltd"}');
    expect(res.statusCode).toBe(201);
  });
});
