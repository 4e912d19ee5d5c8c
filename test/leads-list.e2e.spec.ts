import { leadPage, leadSortKeys, searchResults, type CommandAccepted, type FieldPolicy, type LeadDto, type Role, type StageDto } from '@leadline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/stack.ts';

/**
 * The lead list (sort, keyset paging, the board's filters) and the global search through the whole
 * product: leads created by commands, projected by lead_cards v5 (its sort and trigram indexes),
 * read as admin, manager, rep (own visibility) and analyst with field permissions in force.
 */

type Seed = { company: string | null; value: number | null; owner: 'repA' | 'repB' | null; source: string; first: string; last: string | null };

const COMPANIES = ['Acme', 'beta Works', 'Acme', null, 'Gamma', 'acme'];
const SECRET_EMAIL = 'hidden.person@secret.example';
const PHONE = '+44 20 7946 0001';

describe('lead list and global search', () => {
  let s: TestStack;
  let last = '';
  const tokens = {} as Record<Role | 'repB', string>;
  const ids: Record<string, string> = {};
  const leads: (Seed & { id: string })[] = [];
  let stages: StageDto[] = [];

  const send = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await s.api<CommandAccepted & { id: string }>(method, url, tokens.admin, body, headers);
    expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    if (res.body?.checkpoint && res.body.checkpoint > last) last = res.body.checkpoint;
    return res.body;
  };
  const get = <T = unknown>(who: keyof typeof tokens, url: string) => s.api<T>('GET', `${url}${url.includes('?') ? '&' : '?'}minCheckpoint=${last}`, tokens[who]);
  const list = async (who: keyof typeof tokens, query: string) => {
    const res = await get(who, `/api/leads?${query}`);
    expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
    return leadPage.parse(res.body);
  };
  /** Every page of a query, following nextCursor. */
  const allPages = async (who: keyof typeof tokens, query: string, limit: number) => {
    const seen: LeadDto[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(who, `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    return { seen, pages };
  };

  beforeAll(async () => {
    s = await startTestStack({ repVisibility: 'own' });
    tokens.admin = await s.login('admin@test.local', s.adminPassword);
    const user = async (key: string, role: Role) => {
      const email = `${key}@list.test`;
      ids[key] = (await send('POST', '/api/users', { email, name: key === 'repA' ? 'Rita A' : key === 'repB' ? 'Bob B' : key, role, password: 'password-123456' })).id;
      return s.login(email, 'password-123456');
    };
    tokens.rep = await user('repA', 'rep');
    tokens.repB = await user('repB', 'rep');
    tokens.manager = await user('manager', 'manager');
    tokens.analyst = await user('analyst', 'analyst');
    const policy: FieldPolicy = {
      rules: [
        { role: 'rep', leads: 'all', teamId: null, field: 'email', access: 'hidden' },
        { role: 'rep', leads: 'all', teamId: null, field: 'phone', access: 'hidden' },
        { role: 'analyst', leads: 'all', teamId: null, field: 'dealValue', access: 'hidden' },
        { role: 'manager', leads: 'all', teamId: null, field: 'custom.externalId', access: 'visible' },
      ],
      customFields: [{ key: 'externalId', label: 'External id' }],
    };
    await send('PUT', '/api/settings/field-permissions', policy, { 'if-match': '0' });
    stages = (await s.api<StageDto[]>('GET', `/api/pipeline/stages?minCheckpoint=${last}`, tokens.admin)).body;

    // 24 leads: companies and values repeat (ties the id must break), some have neither.
    for (let i = 0; i < 24; i++) {
      const seed: Seed = {
        company: COMPANIES[i % COMPANIES.length],
        value: i % 4 === 0 ? null : [500, 100, 2500][i % 3],
        owner: (['repA', 'repB', null] as const)[i % 3],
        source: i % 2 === 0 ? 'web' : 'referral',
        first: `Person${String(i).padStart(2, '0')}`,
        last: i % 5 === 0 ? null : 'Smith',
      };
      const body = {
        firstName: seed.first,
        lastName: seed.last,
        company: seed.company,
        dealValue: seed.value,
        source: seed.source,
        ownerId: seed.owner ? ids[seed.owner] : null,
        stageId: stages[i % 3].id,
        ...(i === 7 ? { email: SECRET_EMAIL, phone: PHONE, customFields: { externalId: 'CRM-778899' } } : {}),
      };
      leads.push({ ...seed, id: (await send('POST', '/api/leads', body)).id });
    }
    await send('POST', '/api/activities', { type: 'note', leadId: leads[2].id, subject: 'Quarterly zeppelin review', description: 'Budget agreed' });
    await send('POST', '/api/activities', { type: 'note', leadId: leads[1].id, subject: 'Zeppelin follow-up for Bob' });
    // The oldest lead changes last: updatedAt orders differently from createdAt.
    await send('PATCH', `/api/leads/${leads[0].id}`, { city: 'Bern' });
  }, 180_000);
  afterAll(async () => {
    await s?.close();
  });

  const byId = (id: string) => leads.find((l) => l.id === id)!;

  it.each(leadSortKeys.flatMap((sort) => [`sort=${sort}`, `sort=${sort}&dir=asc`, `sort=${sort}&dir=desc`]))(
    'pages %s without duplicates or gaps, in the order of one unpaged read',
    async (query) => {
      const whole = await list('admin', `${query}&limit=200`);
      expect(whole.nextCursor).toBeNull();
      expect(whole.items).toHaveLength(leads.length);
      const { seen, pages } = await allPages('admin', query, 5);
      expect(pages).toBe(5);
      expect(new Set(seen.map((l) => l.id)).size).toBe(seen.length);
      expect(seen.map((l) => l.id)).toEqual(whole.items.map((l) => l.id));
    },
  );

  it('sorts by the column: empty values last ascending, first descending; ties by id', async () => {
    const key = (l: LeadDto) => (l.company == null ? null : l.company.toLowerCase());
    const asc = (await list('admin', 'sort=company&dir=asc&limit=200')).items;
    const keys = asc.map(key);
    const filled = keys.filter((k): k is string => k !== null);
    expect(keys.slice(0, filled.length)).toEqual(filled);
    expect(filled).toEqual([...filled].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(keys.slice(filled.length).every((k) => k === null)).toBe(true);
    const acme = asc.filter((l) => key(l) === 'acme').map((l) => l.id);
    expect(acme).toEqual([...acme].sort());
    expect(acme.length).toBeGreaterThan(5);

    const desc = (await list('admin', 'sort=value&limit=200')).items;
    const values = desc.map((l) => l.dealValue ?? null);
    const nulls = values.filter((v) => v === null).length;
    expect(values.slice(0, nulls).every((v) => v === null)).toBe(true);
    const rest = values.slice(nulls) as number[];
    expect(rest).toEqual([...rest].sort((a, b) => b - a));

    const byStage = (await list('admin', 'sort=stage&limit=200')).items.map((l) => stages.findIndex((st) => st.id === l.stageId));
    expect(byStage).toEqual([...byStage].sort((a, b) => a - b));
    const byOwner = (await list('admin', 'sort=owner&limit=200')).items.map((l) => l.ownerName);
    expect(byOwner).toEqual([...leads.filter((l) => l.owner === 'repB').map(() => 'Bob B'), ...leads.filter((l) => l.owner === 'repA').map(() => 'Rita A'), ...leads.filter((l) => !l.owner).map(() => null)]);
    expect((await list('admin', 'sort=updatedAt&limit=1')).items[0].id).toBe(leads[0].id);
    expect((await list('admin', 'sort=createdAt&limit=1')).items[0].id).toBe(leads[leads.length - 1].id);
    const names = (await list('admin', 'sort=name&limit=200')).items.map((l) => `${l.firstName ?? ''} ${l.lastName ?? ''}`.trim().toLowerCase());
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("applies the board's filters and a stage, across pages too", async () => {
    const idsOf = (items: LeadDto[]) => items.map((l) => l.id).sort();
    const expectIds = (f: (l: Seed & { id: string }) => boolean) => leads.filter(f).map((l) => l.id).sort();
    expect(idsOf((await list('admin', 'ownerId=none&limit=200')).items)).toEqual(expectIds((l) => l.owner === null));
    expect(idsOf((await list('admin', `ownerId=${ids.repA}&limit=200`)).items)).toEqual(expectIds((l) => l.owner === 'repA'));
    expect(idsOf((await list('admin', 'source=WEB&minValue=200&limit=200')).items)).toEqual(expectIds((l) => l.source === 'web' && (l.value ?? -1) >= 200));
    expect(idsOf((await list('admin', 'maxValue=500&q=acme&limit=200')).items)).toEqual(expectIds((l) => (l.company ?? '').toLowerCase() === 'acme' && l.value !== null && l.value <= 500));
    expect(idsOf((await list('admin', `stageId=${stages[1].id}&limit=200`)).items)).toEqual(leads.filter((_, i) => i % 3 === 1).map((l) => l.id).sort());
    const paged = await allPages('admin', 'sort=company&q=acme', 3);
    expect(idsOf(paged.seen)).toEqual(expectIds((l) => (l.company ?? '').toLowerCase() === 'acme'));
  });

  it('answers 400 problem+json naming the parameter for a bad sort, direction, range or a cursor of another sort', async () => {
    const problem = async (query: string) => {
      const res = await get<{ errors: { field: string; message: string }[] }>('admin', `/api/leads?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      return res.body.errors.map((e) => e.field);
    };
    expect(await problem('sort=email')).toEqual(['querystring.sort']);
    expect(await problem('dir=up')).toEqual(['querystring.dir']);
    expect(await problem('minValue=10&maxValue=5')).toEqual(['querystring.maxValue']);
    const cursor = (await list('admin', 'sort=company&limit=2')).nextCursor as string;
    expect(await problem(`sort=value&cursor=${cursor}`)).toEqual(['querystring.cursor']);
    expect(await problem(`sort=company&dir=desc&cursor=${cursor}`)).toEqual(['querystring.cursor']);
    expect((await get('admin', `/api/leads?sort=company&cursor=${cursor}`)).status).toBe(200);
    expect(await problem('q=')).toEqual(['querystring.q']);
    expect((await get<{ errors: { field: string }[] }>('admin', '/api/search?q=%20')).body.errors.map((e) => e.field)).toEqual(['querystring.q']);
  });

  it('shows a rep with own visibility their own and unassigned leads, in the list and the search', async () => {
    const mine = (await allPages('rep', 'sort=name', 4)).seen.map((l) => l.id).sort();
    expect(mine).toEqual(leads.filter((l) => l.owner !== 'repB').map((l) => l.id).sort());
    const found = searchResults.parse((await get('rep', '/api/search?q=person')).body);
    expect(found.leads.length).toBe(10);
    expect(found.leads.every((l) => byId(l.id).owner !== 'repB')).toBe(true);
    // leads[1] is repB's: its activity is not found by repA; leads[2] is unassigned: found.
    const zeppelin = searchResults.parse((await get('rep', '/api/search?q=zeppelin')).body);
    expect(zeppelin.activities.map((a) => a.leadId).sort()).toEqual([leads[2].id]);
  });

  it('neither shows nor searches a field hidden from the reader, and refuses sorting or filtering by it', async () => {
    // leads[7] (repB's) carries the secret email, phone and external id; no rep may see emails.
    const admin = searchResults.parse((await get('admin', `/api/search?q=${encodeURIComponent('hidden.person@')}`)).body);
    expect(admin.leads.map((l) => l.id)).toEqual([leads[7].id]);
    expect(admin.leads[0]).toMatchObject({ email: SECRET_EMAIL, matched: ['email'] });
    const repB = await get('repB', `/api/search?q=${encodeURIComponent('hidden.person@')}`);
    expect(searchResults.parse(repB.body).leads).toEqual([]);
    expect(JSON.stringify((await get('repB', '/api/search?q=Person07')).body)).not.toContain(SECRET_EMAIL);
    expect((await list('repB', `q=${encodeURIComponent('secret.example')}`)).items).toEqual([]);
    // Phone hidden from reps too (below): a search by its digits finds nothing, and is not an error.
    const phone = await get('repB', `/api/search?q=${encodeURIComponent('20 7946')}`);
    expect(phone.status).toBe(200);
    expect(searchResults.parse(phone.body).leads).toEqual([]);

    const analystSort = await get<{ errors: { field: string }[] }>('analyst', '/api/leads?sort=value');
    expect(analystSort.status).toBe(400);
    expect(analystSort.body.errors).toEqual([{ field: 'querystring.sort', message: 'The deal value is hidden from your role on some leads, so the list cannot be sorted by it' }]);
    expect((await get<{ errors: { field: string }[] }>('analyst', '/api/leads?minValue=1')).body.errors.map((e) => e.field)).toEqual(['querystring.minValue']);
    expect((await list('analyst', 'sort=company&limit=3')).items.every((l) => !('dealValue' in l))).toBe(true);

    // The external id is a custom field: admins and the managers it is granted to find it, reps do not.
    const ext = (who: keyof typeof tokens) => get(who, '/api/search?q=crm-7788').then((r) => searchResults.parse(r.body).leads);
    expect((await ext('admin')).map((l) => [l.id, l.externalId, l.matched])).toEqual([[leads[7].id, 'CRM-778899', ['externalId']]]);
    expect((await ext('manager')).map((l) => l.externalId)).toEqual(['CRM-778899']);
    expect(await ext('repB')).toEqual([]);
  });

  it('searches names, companies, phone digits and activity words, 10 of each at most, most recently changed first', async () => {
    const q = async (text: string) => searchResults.parse((await get('admin', `/api/search?q=${encodeURIComponent(text)}`)).body);
    expect((await q('person07 smith')).leads.map((l) => l.id)).toEqual([leads[7].id]);
    const acme = await q('ACME');
    expect(acme.leads).toHaveLength(10);
    expect(acme.leads.every((l) => l.matched.includes('company'))).toBe(true);
    expect((await q('020 7946 0001')).leads).toEqual([]); // a different number: 0 20… is not +44 20…
    expect((await q('20 7946-0001')).leads.map((l) => [l.id, l.phone, l.matched])).toEqual([[leads[7].id, PHONE, ['phone']]]);
    expect((await q('4420794600')).leads.map((l) => l.id)).toEqual([leads[7].id]);
    const person = await q('person');
    expect(person.leads[0].id).toBe(leads[0].id); // changed last
    const zeppelin = await q('zeppel');
    expect(zeppelin.activities.map((a) => a.subject).sort()).toEqual(['Quarterly zeppelin review', 'Zeppelin follow-up for Bob']);
    expect(zeppelin.activities.find((a) => a.leadId === leads[2].id)?.leadName).toBe('Person02 Smith');
    expect((await q('budget agreed')).activities.map((a) => a.leadId)).toEqual([leads[2].id]);
    expect((await q('100%')).leads).toEqual([]);
  });
});

