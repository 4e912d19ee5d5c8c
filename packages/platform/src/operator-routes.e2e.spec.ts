import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveForTest, tokenAs } from './test-server.ts';

type Served = Awaited<ReturnType<typeof serveForTest>>;
const METRICS_TOKEN = 'scraper-token-0123456789abcdef0123456789';

let s: Served;
beforeAll(async () => (s = await serveForTest({ metricsToken: METRICS_TOKEN })));
afterAll(() => s?.close());

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(s.url + path, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('/api/docs', () => {
  it('answers 401 problem+json without a sign-in, for the page and the document', async () => {
    for (const path of ['/api/docs', '/api/docs/', '/api/docs/json', '/api/docs/yaml']) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      expect(res.type).toContain('application/problem+json');
      expect(res.text).not.toContain('openapi');
    }
  });

  it('serves the page and the OpenAPI document to any signed-in role, by bearer or cookie', async () => {
    for (const role of ['admin', 'manager', 'rep', 'auditor', 'analyst'] as const) {
      const doc = await get('/api/docs/json', bearer(tokenAs(role)));
      expect(doc.status, role).toBe(200);
      expect(JSON.parse(doc.text).paths['/api/things']).toBeDefined();
    }
    const page = await get('/api/docs/', { cookie: `leadline_session=${tokenAs('rep')}` });
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
  });
});

describe('/api/metrics', () => {
  it('answers 401 to nobody and to a wrong token, 403 to signed-in users who are not admins', async () => {
    expect((await get('/api/metrics')).status).toBe(401);
    expect((await get('/api/metrics', bearer('scraper-token-wrong'))).status).toBe(401);
    for (const role of ['manager', 'rep', 'auditor', 'analyst'] as const) expect((await get('/api/metrics', bearer(tokenAs(role)))).status, role).toBe(403);
  });

  it('serves admins and the METRICS_TOKEN holder', async () => {
    for (const headers of [bearer(tokenAs('admin')), bearer(METRICS_TOKEN)]) {
      const res = await get('/api/metrics', headers);
      expect(res.status).toBe(200);
      expect(res.text).toContain('process_cpu_user_seconds_total');
    }
  });
});

describe('/api/alive', () => {
  it('answers without a sign-in, saying nothing but that the process is up', async () => {
    const res = await get('/api/alive');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok' });
  });
});
