import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { eventCount, report, scale, stagesOf } from './support.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const NONFINITE = '"__nonfinite__"';
const injections = ["'; DROP TABLE es.events; --", "' OR '1'='1", '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '../../etc/passwd', 'ünïcødé 🎉 \u202e', '${7*7}', '%00', '\uFFFF', 'lone \ud800', '\udc00'];
/** Unpaired surrogates pass every length and type check; PostgreSQL's jsonb refuses them (the answer was a 500). */
const loneSurrogates = fc.constantFrom('Acme \ud800', '\udfff', 'a\udbff\udbffb');
const huge = (n: number) => fc.string({ minLength: n + 1, maxLength: n + 50 });
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.array(fc.string(), { maxLength: 3 }), fc.double({ noNaN: false }));
type Kind = 'object' | 'text' | 'uuid' | 'email' | 'number' | 'bool' | 'date' | 'hex' | 'role' | 'uuids' | 'password';
const bad: Record<Kind, (max: number) => fc.Arbitrary<unknown>> = {
  object: () => fc.oneof(fc.constantFrom('x', 12, [1, 2], true, "'; DROP TABLE x; --", { tier: 'gold \ud800' }, { '\udc00': 'key' }), fc.array(fc.anything(), { minLength: 1, maxLength: 3 })),
  text: (max) => fc.oneof(wrongType.filter((v) => v !== null), huge(max), fc.constant('x'.repeat(200_000)), loneSurrogates),
  uuid: () => fc.oneof(fc.constantFrom(...injections), fc.integer(), fc.string({ maxLength: 30 }), fc.constant('00000000-0000-0000-0000-00000000000g')),
  email: () => fc.oneof(fc.constantFrom(...injections), fc.integer(), fc.constant('@@'), fc.constant(`${'a'.repeat(300)}@x.io`)),
  number: (max) => fc.oneof(fc.constantFrom(-1, max + 1, -1e308, NONFINITE, '12', '1e3', 'NaN', 'Infinity'), fc.constant({}), fc.constantFrom(...injections)),
  bool: () => fc.oneof(fc.constantFrom('true', 1, 0, 'false', {}, ...injections)),
  date: () => fc.constantFrom('2025-13-45', '2025-02-30', 'yesterday', 20250101, '<b>', "'; --"),
  hex: () => fc.constantFrom('#GGG', 'red', '<script>', '#12345', 123, "';--"),
  role: () => fc.constantFrom('root', 'ADMIN ', "' OR 1=1", '<b>rep</b>', 1, null),
  uuids: () => fc.oneof(fc.constant([]), fc.array(fc.constantFrom(...injections), { minLength: 1, maxLength: 3 }), fc.constant('not-an-array'), fc.constant(Array.from({ length: 501 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`))),
  password: () => fc.constantFrom('short', 'x'.repeat(201), 12345678901, null),
};

type Endpoint = { method: string; url: () => string; base: () => Record<string, unknown>; fields: Record<string, [Kind, number]> };

const leadFields: Record<string, [Kind, number]> = {
  firstName: ['text', 100], lastName: ['text', 100], email: ['email', 0], phone: ['text', 40], company: ['text', 200], title: ['text', 200],
  source: ['text', 100], industry: ['text', 100], country: ['text', 100], city: ['text', 100], companySize: ['text', 50],
  dealValue: ['number', 1e13], expectedCloseDate: ['date', 0], probability: ['number', 100], customFields: ['object', 0],
};

describe('reliability: bad input', () => {
  it('invalid payloads on every command endpoint get a 4xx problem+json, never a 5xx, and append nothing', async () => {
    const token = await stack.login('admin@test.local', stack.adminPassword);
    const stages = await stagesOf<StageDto>(stack.api, token);
    const lead = (await stack.api<{ id: string }>('POST', '/api/leads', token, { company: 'Target' })).body.id;
    const endpoints: Record<string, Endpoint> = {
      'POST /api/leads': { method: 'POST', url: () => '/api/leads', base: () => ({ company: 'Acme' }), fields: { ...leadFields, stageId: ['uuid', 0], ownerId: ['uuid', 0], id: ['uuid', 0] } },
      'PATCH /api/leads/:id': { method: 'PATCH', url: () => `/api/leads/${lead}`, base: () => ({ title: 'CEO' }), fields: leadFields },
      'PUT /api/leads/:id/move-stage': { method: 'PUT', url: () => `/api/leads/${lead}/move-stage`, base: () => ({ stageId: stages[1].id }), fields: { stageId: ['uuid', 0], afterLeadId: ['uuid', 0], beforeLeadId: ['uuid', 0], lostReason: ['text', 500] } },
      'POST /api/leads/assign': { method: 'POST', url: () => '/api/leads/assign', base: () => ({ leadIds: [lead], userId: null }), fields: { leadIds: ['uuids', 0], userId: ['uuid', 0], reason: ['text', 500] } },
      'POST /api/pipeline/stages': { method: 'POST', url: () => '/api/pipeline/stages', base: () => ({ name: `Stage ${Math.random()}` }), fields: { name: ['text', 60], color: ['hex', 0], probability: ['number', 100], isWon: ['bool', 0], isLost: ['bool', 0], orderPosition: ['number', 1000], pipelineId: ['uuid', 0] } },
      'POST /api/users': { method: 'POST', url: () => '/api/users', base: () => ({ email: `u${Math.random()}@t.local`, name: 'U', role: 'rep', password: 'long-enough-pw' }), fields: { email: ['email', 0], name: ['text', 120], role: ['role', 0], password: ['password', 0] } },
    };
    // Any further write route (from the OpenAPI document) gets whole bodies of the wrong shape.
    const doc = (await (await fetch(`${stack.url}/api/docs/json`, { headers: { authorization: `Bearer ${token}` } })).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const extra: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        if (!['post', 'put', 'patch'].includes(method) || !op.requestBody || endpoints[name] || path.startsWith('/api/auth')) continue;
        extra.push(name);
        endpoints[name] = { method: method.toUpperCase(), url: () => path.replace(/\{\w+\}/g, lead), base: () => ({}), fields: {} };
      }
    }

    const runs = scale(12, 150);
    const before = await eventCount(stack.pool);
    const statuses = new Map<number, number>();
    let sent = 0;
    let notProblem = 0;
    const failures: string[] = [];
    const send = async (name: string, ep: Endpoint, raw: string) => {
      const res = await fetch(stack.url + ep.url(), { method: ep.method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: raw });
      sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const type = res.headers.get('content-type') ?? '';
      const text = await res.text();
      if (!type.includes('application/problem+json')) notProblem++;
      if (res.status < 400 || res.status >= 500 || !type.includes('application/problem+json')) failures.push(`${name} ${raw.slice(0, 200)} -> ${res.status} ${text.slice(0, 200)}`);
    };
    const wholeBody = fc.oneof(fc.constant('null'), fc.constant('[]'), fc.constant('"text"'), fc.constant('12'), fc.constant('{'), fc.constant('{"a":'), fc.json().filter((j) => !j.trim().startsWith('{')));
    for (const [name, ep] of Object.entries(endpoints)) {
      const fieldNames = Object.keys(ep.fields);
      const mutation = fieldNames.length
        ? fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom(...fieldNames).chain((f) => bad[ep.fields[f][0]](ep.fields[f][1]).map((v) => ({ f, v }))) },
            { weight: 1, arbitrary: fc.record({ f: fc.constantFrom('__proto__x', 'unknownField', '<b>x</b>'), v: fc.anything().filter((v) => v !== undefined) }) },
          )
        : fc.constant(null);
      await fc.assert(
        fc.asyncProperty(mutation, wholeBody, fc.boolean(), async (m, whole, useWhole) => {
          const raw = useWhole || !m ? whole : JSON.stringify({ ...ep.base(), [m.f]: m.v }).replace(NONFINITE, '1e999');
          await send(name, ep, raw);
        }),
        { numRuns: runs },
      );
    }
    const appended = (await eventCount(stack.pool)) - before;
    report('bad input', { endpoints: Object.keys(endpoints).length, extraFromOpenApi: extra.length, payloads: sent, ...Object.fromEntries([...statuses].map(([s, n]) => [`http${s}`, n])), notProblemJson: notProblem, eventsAppended: appended });
    expect(failures.slice(0, 5)).toEqual([]);
    expect(appended).toBe(0);
  });
});
