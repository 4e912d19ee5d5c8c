import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditContext, recordAudit, verifyAuditTrail } from '@leadline/command';
import type { AuditEntryDto, AuditPage, CommandAccepted } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

type Problem = { status: number; errors?: { field: string; message: string }[] };

/** The audit log over HTTP: who may read it, its filters and paging, bad input, and the CSV export that is itself audited. */
describe('audit log over HTTP', () => {
  let s: TestStack;
  const tokens: Record<'admin' | 'auditor' | 'manager' | 'rep' | 'analyst', string> = { admin: '', auditor: '', manager: '', rep: '', analyst: '' };
  const ids: Record<string, string> = {};
  const leadId = crypto.randomUUID();

  const page = async (query: string, token = tokens.auditor) => {
    const res = await s.api<AuditPage>('GET', `/api/audit?${query}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const kinds = (items: AuditEntryDto[]) => items.map((e) => e.kind);
  /** The kinds this file records itself (sign-ins may record others). */
  const SEEDED = 'kind=login_failed,role_changed,restricted_read,permission_changed';

  beforeAll(async () => {
    s = await startTestStack();
    tokens.admin = await s.login('admin@test.local', s.adminPassword);
    ids.admin = s.admin.userId;
    for (const role of ['auditor', 'manager', 'rep', 'analyst'] as const) {
      const email = `${role}@test.local`;
      const res = await s.api<CommandAccepted>('POST', '/api/users', tokens.admin, { email, name: `The ${role}`, role, password: 'password-123456' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids[role] = res.body.id;
      tokens[role] = await s.login(email, 'password-123456');
    }
    const ctx = (who: 'admin' | 'manager' | null, at: string) => ({ ...auditContext({ ip: '10.1.2.3', headers: { 'user-agent': 'e2e' } }, who && { userId: ids[who], role: who, email: `${who}@test.local` }), at: new Date(at) });
    await recordAudit(s.pool, ctx(null, '2026-11-30T08:00:00Z'), { kind: 'login_failed', subject: { type: 'email', id: 'mallory@test.local' }, detail: { reason: 'wrong password' } });
    await recordAudit(s.pool, ctx('admin', '2026-12-01T09:00:00Z'), { kind: 'role_changed', subject: { type: 'user', id: ids.rep }, detail: { from: 'rep', to: 'manager' } });
    await recordAudit(s.pool, ctx('manager', '2026-12-01T10:00:00Z'), { kind: 'restricted_read', subject: { type: 'lead', id: leadId }, detail: { fields: ['dealValue'] } });
    await recordAudit(s.pool, ctx('admin', '2026-12-01T11:00:00Z'), { kind: 'permission_changed', subject: { type: 'permissions', id: '=cmd|/c calc' }, detail: { note: '=HYPERLINK("http://evil")' } });
    for (let i = 0; i < 5; i++) await recordAudit(s.pool, ctx('manager', `2026-12-02T10:0${i}:00Z`), { kind: 'restricted_read', subject: { type: 'lead', id: leadId }, detail: { fields: ['email'], n: i } });
    // Recorded is durable; listed once the chainer has chained it and the projector projected it.
    for (const until = Date.now() + 20_000; (await page(`${SEEDED}&limit=200`)).items.length < 9; ) {
      if (Date.now() > until) throw new Error('the seeded audit events were not listed within 20 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers auditors and admins, refuses the other roles with 403 and strangers with 401', async () => {
    const all = await page(`${SEEDED}&limit=200`);
    expect(all.items).toHaveLength(9);
    expect(all.items.map((e) => e.at)).toEqual([...all.items.map((e) => e.at)].sort().reverse());
    expect(all.items.at(-1)).toMatchObject({ kind: 'login_failed', actor: null, subject: { type: 'email', id: 'mallory@test.local' }, ip: '10.1.2.3', userAgent: 'e2e', detail: { reason: 'wrong password' } });
    expect(all.items.find((e) => e.kind === 'role_changed')).toMatchObject({ actor: { userId: ids.admin, role: 'admin', name: expect.any(String) }, subject: { type: 'user', id: ids.rep } });
    expect((await page(`${SEEDED}&limit=200`, tokens.admin)).items).toHaveLength(9);
    for (const role of ['manager', 'rep', 'analyst'] as const) {
      for (const url of ['/api/audit', '/api/audit/export']) {
        const res = await s.api<Problem>('GET', url, tokens[role]);
        expect(res.status, `${role} ${url}`).toBe(403);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
    }
    const anonymous = await fetch(`${s.url}/api/audit`);
    expect(anonymous.status).toBe(401);
  });

  it('filters by kind, actor, subject and time, and pages with a cursor', async () => {
    expect(kinds((await page('kind=login_failed')).items)).toEqual(['login_failed']);
    expect(kinds((await page('kind=role_changed,permission_changed')).items)).toEqual(['permission_changed', 'role_changed']);
    expect((await page(`${SEEDED}&actorId=${ids.admin}`)).items.map((e) => e.actor?.userId)).toEqual([ids.admin, ids.admin]);
    expect((await page(`subject=${leadId}`)).items).toHaveLength(6);
    expect(kinds((await page(`${SEEDED}&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z`)).items)).toEqual(['permission_changed', 'restricted_read', 'role_changed']);
    expect((await page(`kind=restricted_read&actorId=${ids.manager}&from=2026-12-02T10:02:00Z`)).items.map((e) => e.detail.n)).toEqual([4, 3, 2]);

    const seen: string[] = [];
    let cursor: string | null = '';
    do {
      const p: AuditPage = await page(`limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(p.items.length).toBeLessThanOrEqual(4);
      seen.push(...p.items.map((e) => e.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toEqual((await page('limit=200')).items.map((e) => e.id));
  });

  it('answers bad filters with 400 naming each invalid field', async () => {
    const bad = await s.api<Problem>('GET', '/api/audit?kind=peek&actorId=nobody&from=yesterday&limit=0', tokens.auditor);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body.errors?.map((e) => e.field).sort()).toEqual(['querystring.actorId', 'querystring.from', 'querystring.kind.0', 'querystring.limit']);
    const backwards = await s.api<Problem>('GET', '/api/audit/export?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', tokens.auditor);
    expect([backwards.status, backwards.body.errors?.map((e) => e.field)]).toEqual([400, ['querystring.to']]);
    const cursor = await s.api<Problem>('GET', '/api/audit?cursor=not-ours', tokens.auditor);
    expect([cursor.status, cursor.body.errors?.map((e) => e.field)]).toEqual([400, ['querystring.cursor']]);
  });

  it('refuses an export that a link on another site makes a signed-in browser request (its cookie goes along)', async () => {
    const cookie = `leadline_session=${encodeURIComponent(tokens.auditor)}`;
    for (const site of ['cross-site', 'same-site']) {
      const res = await fetch(`${s.url}/api/audit/export`, { headers: { cookie, 'sec-fetch-site': site } });
      expect([site, res.status]).toEqual([site, 403]);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const own = await fetch(`${s.url}/api/audit/export?kind=login_failed`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(200);
    await own.text();
  });

  it('exports the filtered log as CSV, formulas defused, after recording the export as an audit event', async () => {
    const res = await fetch(`${s.url}/api/audit/export?kind=login_failed,permission_changed`, { headers: { authorization: `Bearer ${tokens.auditor}`, 'user-agent': 'csv-test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}T\d{6}Z\.csv"$/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('at,kind,actor_email,actor_name,actor_role,actor_id,subject_type,subject_id,ip,user_agent,detail,stream,version,hash');
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['permission_changed', 'login_failed']);
    expect(lines[1]).toContain(`,permissions,'=cmd|/c calc,`);
    expect(lines[1]).toContain(`"{""note"":""=HYPERLINK(\\""http://evil\\"")""}"`);

    // The browser export of the test before, then this one (newest first).
    await expect.poll(async () => (await page('kind=export')).items.length, { timeout: 20_000 }).toBe(2);
    const exports = await page('kind=export');
    expect(exports.items[0]).toMatchObject({ actor: { userId: ids.auditor, role: 'auditor' }, subject: { type: 'dataset', id: 'audit_log' }, userAgent: 'csv-test', detail: { filters: { kind: ['login_failed', 'permission_changed'] } } });
    // The refused exports recorded nothing; the chain holds every audit event, the export's included.
    const everything = (await page('limit=200')).items.length;
    await expect.poll(async () => (await verifyAuditTrail(s.eventStore)).events, { timeout: 15_000 }).toBe(everything);
    expect((await verifyAuditTrail(s.eventStore)).broken).toBeNull();
  });
});
