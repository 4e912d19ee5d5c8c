import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveForTest, tokenAs } from './test-server.ts';

type Served = Awaited<ReturnType<typeof serveForTest>>;

const directives = (csp: string | null): Map<string, string[]> =>
  new Map((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name, values]));

describe('security headers over plain HTTP', () => {
  let s: Served;
  beforeAll(async () => (s = await serveForTest()));
  afterAll(() => s?.close());

  it('sends a strict CSP and the other headers on API answers, writes, errors and 404s', async () => {
    const host = new URL(s.url).host;
    const answers = [
      await fetch(`${s.url}/api/whoami`),
      await fetch(`${s.url}/api/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ok' }) }),
      await fetch(`${s.url}/api/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": 1}' }),
      await fetch(`${s.url}/api/no-such-route`),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 400, 404]);
    for (const res of answers) {
      await res.arrayBuffer();
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
      expect(csp.get('style-src-attr')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'self'"]);
      expect(csp.get('form-action')).toEqual(["'self'"]);
      expect(csp.get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('never echoes a hostile Host header into the policy', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/api/whoami', headers: { host: "evil.example; script-src 'unsafe-inline'" } });
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).not.toContain('evil');
    expect(directives(csp).get('script-src')).toEqual(["'self'"]);
  });

  it('serves the API docs to a signed-in user under the same CSP', async () => {
    const page = await fetch(`${s.url}/api/docs`, { headers: { authorization: `Bearer ${tokenAs('rep')}` }, redirect: 'follow' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-initializer.js');
    const api = await fetch(`${s.url}/api/whoami`);
    await api.arrayBuffer();
    expect(page.headers.get('content-security-policy')).toBe(api.headers.get('content-security-policy'));
    const bundle = await fetch(`${s.url}/api/docs/static/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });
});

describe('security headers behind HTTPS (COOKIE_SECURE=true)', () => {
  let s: Served;
  beforeAll(async () => (s = await serveForTest({ cookieSecure: true })));
  afterAll(() => s?.close());

  it('adds HSTS and upgrade-insecure-requests, and lets the live socket use wss only', async () => {
    const res = await fetch(`${s.url}/api/whoami`);
    await res.arrayBuffer();
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.has('upgrade-insecure-requests')).toBe(true);
    expect(csp.get('connect-src')).toEqual(["'self'", `wss://${new URL(s.url).host}`]);
  });
});
