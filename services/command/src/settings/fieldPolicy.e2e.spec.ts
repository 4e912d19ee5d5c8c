import { FIELD_POLICY_STREAM, type FieldPolicy } from '@leadline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommandHarness, type CommandHarness, type TestUser } from '../testing/app.ts';

const URL = '/api/settings/field-permissions';

describe('field permissions on the write side', () => {
  let h: CommandHarness;
  let manager: TestUser;
  let rep: TestUser;
  let version = 0;

  const put = (user: TestUser, body: unknown, ifMatch: string | null = String(version)) =>
    h.request(user.token, { method: 'PUT', url: URL, payload: body as object, headers: ifMatch === null ? {} : { 'if-match': ifMatch } });
  const lead = (user: TestUser, payload: Record<string, unknown>) => h.request(user.token, { method: 'POST', url: '/api/leads', payload });
  const patch = (user: TestUser, id: string, payload: Record<string, unknown>) => h.request(user.token, { method: 'PATCH', url: `/api/leads/${id}`, payload });

  const policy: FieldPolicy = {
    rules: [
      { role: 'manager', leads: 'all', teamId: null, field: 'dealValue', access: 'read_only' },
      { role: 'rep', leads: 'all', teamId: null, field: 'email', access: 'hidden' },
      { role: 'manager', leads: 'all', teamId: null, field: 'custom.tier', access: 'visible' },
      { role: 'rep', leads: 'all', teamId: null, field: 'custom.tier', access: 'read_only' },
    ],
    customFields: [{ key: 'tier', label: 'Tier' }],
  };

  beforeAll(async () => {
    h = await startCommandHarness();
    manager = await h.createUser('manager');
    rep = await h.createUser('rep');
  });
  afterAll(() => h?.close());

  it('lets only admins change the policy, with If-Match required and checked (0 before the first change)', async () => {
    expect((await put(manager, policy)).statusCode).toBe(403);
    const missing = await put(h.admin, policy, null);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([{ field: 'headers.if-match', message: 'required' }]);
    const stale = await put(h.admin, policy, '3');
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ currentVersion: 0 });
    const ok = await put(h.admin, policy);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ version: 1, checkpoint: expect.stringMatching(/^[0-9]+$/) });
    expect(ok.headers.etag).toBe('"1"');
    version = 1;
    const [event] = await h.eventStore.readStream(FIELD_POLICY_STREAM);
    expect(event).toMatchObject({ type: 'FieldPolicyChanged', data: policy });
    expect((await put(h.admin, policy, '0')).statusCode).toBe(409);
  });

  it('answers 400 naming each invalid rule, and an unknown team', async () => {
    const bad = await put(h.admin, { rules: [{ role: 'rep', field: 'custom.nope', access: 'hidden' }, { role: 'rep', leads: 'team', field: 'email', access: 'bogus' }], customFields: [] });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['body.rules.1.access']));
    const team = await put(h.admin, { rules: [{ role: 'rep', leads: 'team', teamId: '7d1b9c52-5a3e-4c71-9f0e-2f6a1f0b8c11', field: 'email', access: 'hidden' }], customFields: [] });
    expect(team.statusCode).toBe(400);
    expect(team.json().errors).toEqual([{ field: 'body.rules.0.teamId', message: 'no team 7d1b9c52-5a3e-4c71-9f0e-2f6a1f0b8c11' }]);
  });

  it('refuses a write of a hidden or read-only field with 403 naming each field, on create and on update', async () => {
    const created = await lead(rep, { lastName: 'Lovelace', email: 'ada@example.com', customFields: { tier: 'gold' } });
    expect(created.statusCode).toBe(403);
    expect(created.headers['content-type']).toContain('application/problem+json');
    expect(created.json().errors).toEqual([
      { field: 'body.email', message: 'hidden from your role' },
      { field: 'body.customFields.tier', message: 'read-only for your role' },
    ]);

    const own = await lead(rep, { lastName: 'Lovelace' });
    expect(own.statusCode).toBe(201);
    const id = own.json().id as string;
    const byManager = await patch(manager, id, { dealValue: 5000, city: 'London' });
    expect(byManager.statusCode).toBe(403);
    expect(byManager.json()).toMatchObject({ status: 403, errors: [{ field: 'body.dealValue', message: 'read-only for your role' }] });
    expect((await patch(manager, id, { city: 'London', customFields: { tier: 'gold' } })).statusCode).toBe(200);
    expect((await patch(rep, id, { email: 'ada@example.com' })).json().errors).toEqual([{ field: 'body.email', message: 'hidden from your role' }]);
  });

  it("keeps a custom field the writer cannot see when they replace the custom fields", async () => {
    const created = await lead(h.admin, { lastName: 'Hopper', customFields: { tier: 'gold', secret: 'x' } });
    const id = created.json().id as string;
    expect((await patch(manager, id, { customFields: { tier: 'silver' } })).statusCode).toBe(200);
    const events = await h.eventStore.readStream(`lead-${id}`);
    expect(events[events.length - 1].data).toMatchObject({ changes: { customFields: { from: { tier: 'gold', secret: 'x' }, to: { tier: 'silver', secret: 'x' } } } });
  });
});
