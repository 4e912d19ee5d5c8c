import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveForTest, tokenAs } from './test-server.ts';

type Served = Awaited<ReturnType<typeof serveForTest>>;
let s: Served;
beforeAll(async () => (s = await serveForTest()));
afterAll(() => s?.close());

const cookie = { cookie: `leadline_session=${tokenAs('admin')}` };

async function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(s.url + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

describe('cross-site writes with the ambient cookie', () => {
  it('refuses a body-less POST from a same-site or cross-site page (a text/plain form with no fields)', async () => {
    for (const site of ['same-site', 'cross-site']) {
      const res = await send('POST', '/api/things/t1/archive', { ...cookie, 'sec-fetch-site': site, 'content-type': 'text/plain' }, '');
      expect(res.status, site).toBe(403);
      expect(res.type).toContain('application/problem+json');
    }
    const noType = await send('POST', '/api/things/t1/archive', { ...cookie, 'sec-fetch-site': 'same-site' });
    expect(noType.status).toBe(403);
  });

  it('refuses a text/plain form whose body looks like JSON', async () => {
    const res = await send('POST', '/api/things', { ...cookie, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' }, '{"name":"csrf"}');
    expect(res.status).toBe(403);
  });

  it('falls back to Origin when Sec-Fetch-Site is absent, and lets non-browser clients (neither header) through', async () => {
    const host = new URL(s.url).host;
    expect((await send('POST', '/api/things/t1/archive', { ...cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await send('POST', '/api/things/t1/archive', { ...cookie, origin: `http://${host}.evil.example` })).status).toBe(403);
    expect((await send('POST', '/api/things/t1/archive', { ...cookie, origin: 'null' })).status).toBe(403);
    expect((await send('POST', '/api/things/t1/archive', { ...cookie, origin: `http://${host}` })).status).toBe(200);
    expect((await send('POST', '/api/things/t1/archive', cookie)).status).toBe(200);
  });

  it('accepts the web app itself: same-origin fetches, and navigations the user started', async () => {
    const json = { ...cookie, 'content-type': 'application/json' };
    expect((await send('POST', '/api/things', { ...json, 'sec-fetch-site': 'same-origin', origin: `http://${new URL(s.url).host}` }, '{"name":"ok"}')).status).toBe(200);
    expect((await send('POST', '/api/things/t1/archive', { ...cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await send('POST', '/api/things/t1/archive', { ...cookie, 'sec-fetch-site': 'none' })).status).toBe(200);
  });

  it('exempts bearer requests (no browser adds one by itself) and reads', async () => {
    expect((await send('POST', '/api/things/t1/archive', { authorization: `Bearer ${tokenAs('rep')}`, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect((await send('GET', '/api/whoami', { ...cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });

  it('guards every write method, routed or not', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) expect((await send(method, '/api/things/t1', { ...cookie, 'sec-fetch-site': 'cross-site' })).status, method).toBe(403);
  });
});

describe('writes must be JSON', () => {
  it('answers 415 problem+json naming the header for any other media type, bodies or not, bearer or not', async () => {
    const bearer = { authorization: `Bearer ${tokenAs('admin')}`, 'sec-fetch-site': 'same-origin' };
    for (const [type, body] of [
      ['text/plain', '{"name":"x"}'],
      ['text/plain', ''],
      ['application/x-www-form-urlencoded', 'name=x'],
      ['multipart/form-data; boundary=x', '--x--'],
      ['application/json-patch+json', '[]'],
    ]) {
      const res = await send('POST', '/api/things', { ...bearer, 'content-type': type }, body);
      expect(res.status, type).toBe(415);
      expect(res.type).toContain('application/problem+json');
      expect(res.body.errors).toEqual([{ field: 'headers.content-type', message: 'must be application/json' }]);
    }
    expect((await send('POST', '/api/things/t1/archive', { ...bearer, 'content-type': 'text/plain' }, '')).status).toBe(415);
    expect((await send('POST', '/api/things', { ...bearer, 'content-type': 'Application/JSON; charset=utf-8' }, '{"name":"x"}')).status).toBe(200);
  });

  it('answers 415 to a body sent without any content type', async () => {
    const { port } = new URL(s.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/things', headers: { 'content-length': '14' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{"name":"raw"}');
    });
    expect(status).toBe(415);
  });
});
