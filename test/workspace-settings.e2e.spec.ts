import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_STREAM, type AuditPage, type CommandAccepted, type ProblemDto, type WorkspaceSettingsDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const URL = '/api/settings/workspace';

/** The workspace currency over HTTP: every role reads it, admins alone change it, with If-Match; refusals write nothing. */
describe('workspace settings over HTTP', () => {
  let s: TestStack;
  let admin = '';
  let rep = '';
  let last = '';

  const put = (token: string, body: unknown, ifMatch: string | null) => s.api<CommandAccepted & ProblemDto>('PUT', URL, token, body, ifMatch === null ? {} : { 'if-match': ifMatch });
  const read = (token: string) => s.api<WorkspaceSettingsDto>('GET', `${URL}?minCheckpoint=${last}`, token);
  const stored = async () => (await s.eventStore.readStream(WORKSPACE_STREAM)).map((e) => e.data);
  const audited = async () => (await s.api<AuditPage>('GET', '/api/audit?kind=permission_changed', admin)).body.items.filter((e) => e.subject?.id === 'workspace');

  beforeAll(async () => {
    s = await startTestStack();
    admin = await s.login('admin@test.local', s.adminPassword);
    const created = await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'rita@test.local', name: 'Rita Rep', role: 'rep', password: 'password-123456' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    rep = await s.login('rita@test.local', 'password-123456');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('answers USD at version 0 before anyone chose a currency, to every role', async () => {
    const res = await read(rep);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ currency: 'USD', version: 0, updatedAt: null, updatedBy: null, stale: false });
    expect(res.headers.get('etag')).toBe('"0"');
  });

  it('refuses without writing: a rep (403), a code that is no currency (400 naming currency), no If-Match (400), a stale If-Match (409)', async () => {
    const byRep = await put(rep, { currency: 'EUR' }, '0');
    expect(byRep.status).toBe(403);
    expect(byRep.headers.get('content-type')).toContain('application/problem+json');

    for (const currency of ['XYZ', 'eur', 'EURO', 42]) {
      const bad = await put(admin, { currency }, '0');
      expect(bad.status, String(currency)).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(bad.body.errors).toEqual([{ field: 'body.currency', message: 'Choose a currency such as USD or EUR' }]);
    }
    expect((await put(admin, { currency: 'EUR', locale: 'de' }, '0')).status).toBe(400);

    const missing = await put(admin, { currency: 'EUR' }, null);
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ field: 'headers.if-match', message: 'required' }]);

    const stale = await put(admin, { currency: 'EUR' }, '3');
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ currentVersion: 0 });

    expect(await stored()).toEqual([]);
    expect((await read(rep)).body).toMatchObject({ currency: 'USD', version: 0 });
  });

  it('an admin sets EUR with If-Match 0; a rep reads it (ETag = version); it is in the audit trail', async () => {
    const ok = await put(admin, { currency: 'EUR' }, '0');
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toEqual({ version: 1, checkpoint: expect.stringMatching(/^[0-9]+$/) });
    expect(ok.headers.get('etag')).toBe('"1"');
    last = ok.body.checkpoint;
    expect(await stored()).toEqual([{ currency: 'EUR' }]);

    const res = await read(rep);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ currency: 'EUR', version: 1, updatedBy: s.admin.userId, stale: false });
    expect(res.body.updatedAt).toEqual(expect.any(String));
    expect(res.headers.get('etag')).toBe('"1"');

    await expect.poll(audited, { timeout: 15_000 }).toEqual([expect.objectContaining({ actor: expect.objectContaining({ userId: s.admin.userId }), detail: { version: 1, currency: { from: 'USD', to: 'EUR' } } })]);
  });

  it('the copy edited before that change is now stale (409 with the current version); saving the same currency records nothing', async () => {
    const stale = await put(admin, { currency: 'GBP' }, '0');
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ currentVersion: 1 });

    const same = await put(admin, { currency: 'EUR' }, '1');
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(1);
    expect(await stored()).toEqual([{ currency: 'EUR' }]);
    expect((await put(rep, { currency: 'GBP' }, '1')).status).toBe(403);
    expect(await stored()).toEqual([{ currency: 'EUR' }]);
    expect(await audited()).toHaveLength(1);
  });
});
