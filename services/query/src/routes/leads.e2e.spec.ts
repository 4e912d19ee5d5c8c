import { leadDto, leadPage, userDto } from '@leadline/contracts';
import { SessionStore } from '@leadline/platform';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authAs, buildTestApp } from '../testing/app.ts';
import { cp, createProjectorState, createReadModel, insertDefaultPipeline, insertLead, insertUser, markRunning, type TestLead, type TestUser } from '../testing/readModel.ts';

let db: TestDatabase;
let app: FastifyInstance;
let admin: TestUser;
let auditor: TestUser;
let rep: TestUser;
let otherRep: TestUser;
let stages: { id: string }[];
let pipelineId: string;
let repLead: TestLead;
let otherLead: TestLead;
let unassigned: TestLead;

beforeAll(async () => {
  db = await createTestDatabase();
  await createReadModel(db.pool);
  await createProjectorState(db.pool);
  await markRunning(db.pool, cp(7));
  admin = await insertUser(db.pool, { name: 'Ann Admin', role: 'admin' });
  auditor = await insertUser(db.pool, { name: 'Otto Auditor', role: 'auditor' });
  rep = await insertUser(db.pool, { name: 'Rita Rep', role: 'rep' });
  otherRep = await insertUser(db.pool, { name: 'Oscar Rep', role: 'rep' });
  ({ pipelineId, stages } = await insertDefaultPipeline(db.pool));
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  repLead = await insertLead(db.pool, { pipelineId, stageId: stages[0].id, ownerId: rep.id, firstName: 'Grace', lastName: 'Hopper', company: 'Navy', email: 'grace@navy.example', createdAt: t(1) });
  otherLead = await insertLead(db.pool, { pipelineId, stageId: stages[1].id, ownerId: otherRep.id, firstName: 'Alan', lastName: 'Turing', company: '100%_Bletchley', createdAt: t(2) });
  unassigned = await insertLead(db.pool, { pipelineId, stageId: stages[0].id, ownerId: null, firstName: 'Edsger', lastName: 'Dijkstra', company: '100 percent', createdAt: t(3) });
  app = await buildTestApp(db);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = (url: string, user?: TestUser) => app.inject({ method: 'GET', url, headers: user ? authAs(user) : {} });
const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id);

describe('authentication', () => {
  it.each(['/api/auth/me', '/api/users', '/api/leads', `/api/leads/${'0f8fad5b-d9cb-469f-a165-70867728950e'}`, '/api/pipeline/stages', '/api/pipeline/board', '/api/pipeline/overview'])(
    '%s answers 401 problem without credentials',
    async (url) => {
      const res = await get(url);
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    },
  );

  it('refuses a token signed with another secret and accepts the session cookie', async () => {
    const forged = (await new SessionStore(db.pool, 'another-secret-that-is-long-enough-000').issue({ userId: admin.id, ttlSeconds: 60 })).token;
    expect((await app.inject({ method: 'GET', url: '/api/users', headers: { authorization: `Bearer ${forged}` } })).statusCode).toBe(401);
    const token = authAs(admin).authorization.slice(7);
    const res = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `leadline_session=${token}` } });
    expect(res.statusCode).toBe(200);
  });

  it('/api/auth/me answers the principal', async () => {
    const res = await get('/api/auth/me', rep);
    expect(res.json()).toEqual({ id: rep.id, email: rep.email, name: rep.name, role: 'rep', teamId: null, mustChangePassword: false, timeZone: null });
  });
});

describe('GET /api/users', () => {
  it('lists every user to anyone signed in, with the checkpoint in headers', async () => {
    const res = await get('/api/users', auditor);
    expect(res.statusCode).toBe(200);
    const users = res.json().map((u: unknown) => userDto.parse(u));
    expect(users.map((u: { name: string }) => u.name)).toEqual(['Ann Admin', 'Oscar Rep', 'Otto Auditor', 'Rita Rep']);
    expect(res.headers['x-checkpoint']).toBe(cp(7));
    expect(res.headers['x-stale']).toBe('false');
  });
});

describe('GET /api/leads', () => {
  it('shows a manager-like role every lead, newest first, with checkpoint', async () => {
    const res = await get('/api/leads', auditor);
    expect(res.statusCode).toBe(200);
    const body = leadPage.parse(res.json());
    expect(ids(body)).toEqual([unassigned.id, otherLead.id, repLead.id]);
    expect(body).toMatchObject({ checkpoint: cp(7), stale: false, nextCursor: null });
  });

  it('shows a rep only their own and unassigned leads', async () => {
    expect(ids((await get('/api/leads', rep)).json())).toEqual([unassigned.id, repLead.id]);
  });

  it('shows a rep every lead when REP_VISIBILITY is all', async () => {
    const wide = await buildTestApp(db, { repVisibility: 'all' });
    try {
      const res = await wide.inject({ method: 'GET', url: '/api/leads', headers: authAs(rep) });
      expect(ids(res.json())).toEqual([unassigned.id, otherLead.id, repLead.id]);
    } finally {
      await wide.close();
    }
  });

  it('filters by stage, owner and unassigned', async () => {
    expect(ids((await get(`/api/leads?stageId=${stages[0].id}`, admin)).json())).toEqual([unassigned.id, repLead.id]);
    expect(ids((await get(`/api/leads?ownerId=${otherRep.id}`, admin)).json())).toEqual([otherLead.id]);
    expect(ids((await get('/api/leads?ownerId=none', admin)).json())).toEqual([unassigned.id]);
    expect(ids((await get(`/api/leads?ownerId=${otherRep.id}`, rep)).json())).toEqual([]);
  });

  it('searches names, company and email case-insensitively, with % and _ taken literally', async () => {
    expect(ids((await get('/api/leads?q=hopper', admin)).json())).toEqual([repLead.id]);
    expect(ids((await get('/api/leads?q=grace%20hop', admin)).json())).toEqual([repLead.id]);
    expect(ids((await get('/api/leads?q=NAVY.EXAMPLE', admin)).json())).toEqual([repLead.id]);
    expect(ids((await get('/api/leads?q=100%25', admin)).json())).toEqual([otherLead.id]);
    expect(ids((await get('/api/leads?q=_', admin)).json())).toEqual([otherLead.id]);
    expect(ids((await get('/api/leads?q=100', admin)).json())).toEqual([unassigned.id, otherLead.id]);
  });

  it('never answers 5xx to text that cannot be stored: an undecodable surrogate stays literal, one in a path is a 400', async () => {
    // A URL cannot carry a lone surrogate: its UTF-8 bytes are invalid, so the query parser keeps them as typed.
    for (const q of ['%ED%A0%80', '%uD800', 'a%00b']) {
      const res = await get(`/api/leads?q=${q}`, admin);
      expect(res.statusCode, q).toBeLessThan(500);
    }
    expect((await get('/api/leads?q=%ED%A0%80', admin)).statusCode).toBe(200);
    const param = await get('/api/leads/%ED%A0%80', admin);
    expect(param.statusCode).toBe(400);
    expect(param.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 400 naming the field for a bad filter', async () => {
    const res = await get('/api/leads?ownerId=someone', admin);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toContain('ownerId');
  });

  it('pages with a cursor without duplicates or gaps, ties on created_at broken by id', async () => {
    const paging = await createTestDatabase();
    try {
      await createReadModel(paging.pool);
      await createProjectorState(paging.pool);
      const { pipelineId: p, stages: s } = await insertDefaultPipeline(paging.pool);
      const inserted: TestLead[] = [];
      for (let i = 0; i < 37; i++) {
        // Groups of three share a creation time, so the id must decide their order.
        inserted.push(await insertLead(paging.pool, { pipelineId: p, stageId: s[i % 3].id, createdAt: new Date(Date.UTC(2026, 1, 1, 0, 0, Math.floor(i / 3))).toISOString() }));
      }
      // Sessions live in each database: this one needs its own signed-in admin.
      const pagingAdmin = await insertUser(paging.pool, { name: 'Paging Admin', role: 'admin' });
      const pagingApp = await buildTestApp(paging);
      try {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const url: string = `/api/leads?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
          const res = await pagingApp.inject({ method: 'GET', url, headers: authAs(pagingAdmin) });
          expect(res.statusCode).toBe(200);
          const body = leadPage.parse(res.json());
          seen.push(...ids(body));
          cursor = body.nextCursor;
          pages += 1;
        } while (cursor);
        expect(pages).toBe(4);
        const expected = [...inserted].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((l) => l.id);
        expect(seen).toEqual(expected);
      } finally {
        await pagingApp.close();
      }
    } finally {
      await paging.drop();
    }
  });

  it('answers 400 for a malformed cursor', async () => {
    const res = await get('/api/leads?cursor=bm90LWEtY3Vyc29y', admin);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: 'querystring.cursor', message: 'must be a cursor returned by the API' }]);
  });
});

describe('GET /api/leads/:id', () => {
  it('answers the lead with its owner name', async () => {
    const res = await get(`/api/leads/${repLead.id}`, admin);
    expect(res.statusCode).toBe(200);
    const body = leadDto.parse(res.json());
    expect(body).toMatchObject({ id: repLead.id, ownerId: rep.id, ownerName: 'Rita Rep', firstName: 'Grace', email: 'grace@navy.example', dealValue: 1000, customFields: {} });
    expect(res.json()).toMatchObject({ checkpoint: cp(7), stale: false });
  });

  it('answers 404 for a missing lead and for a lead a rep may not see, alike', async () => {
    const missing = await get('/api/leads/0f8fad5b-d9cb-469f-a165-70867728950e', rep);
    const hidden = await get(`/api/leads/${otherLead.id}`, rep);
    expect(missing.statusCode).toBe(404);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().title).toBe(missing.json().title);
    expect((await get(`/api/leads/${unassigned.id}`, rep)).statusCode).toBe(200);
  });
});
