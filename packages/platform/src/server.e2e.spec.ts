import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { findBadText } from './text-guard.ts';
import { createServer } from './server.ts';
import { createLogger } from './logger.ts';

async function build(lines: string[] = []) {
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const app = await createServer({ logger: createLogger('test', 'info', sink), title: 'test' });
  await app.register(async (a) => {
    const typed = a.withTypeProvider<ZodTypeProvider>();
    typed.post('/api/echo', { schema: { body: z.object({ name: z.string().max(10), tags: z.record(z.string(), z.string()).optional() }) } }, async (req) => req.body);
    typed.get('/api/boom', async () => {
      throw new Error('secret internals at /srv/app.ts:12');
    });
  });
  await app.ready();
  return app;
}

describe('createServer', () => {
  it('answers invalid bodies with problem+json naming each field', async () => {
    const app = await build();
    const res = await app.inject({ method: 'POST', url: '/api/echo', payload: { name: 'x'.repeat(11), extra: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'body.name' })]);
    const bad = await app.inject({ method: 'POST', url: '/api/echo', payload: '{oops', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses NUL characters anywhere in the request with a 400 naming the field', async () => {
    const app = await build();
    const res = await app.inject({ method: 'POST', url: '/api/echo', payload: { name: 'ok', tags: { 'a\u0000': 'b' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.tags');
    const q = await app.inject({ method: 'POST', url: '/api/echo?q=%00', payload: { name: 'ok' } });
    expect(q.statusCode).toBe(400);
    expect(q.json().errors[0].field).toBe('querystring.q');
    expect(findBadText({ a: [{ b: 'x\u0000' }] }, 'body')?.field).toBe('body.a.0.b');
    expect(findBadText({ a: ['fine', 1, null] }, 'body')).toBeNull();
  });

  it('refuses unpaired UTF-16 surrogates in strings and keys with a 400 naming the field, and keeps paired ones', async () => {
    const app = await build();
    const json = { 'content-type': 'application/json' };
    for (const [payload, field] of [
      ['{"name":"a\\ud800"}', 'body.name'],
      ['{"name":"\\udc00b"}', 'body.name'],
      ['{"name":"ok","tags":{"k":"\\udbff\\udbff\\udc00"}}', 'body.tags.k'],
      ['{"name":"ok","tags":{"\\ud800":"v"}}', 'body.tags'],
    ]) {
      const res = await app.inject({ method: 'POST', url: '/api/echo', payload, headers: json });
      expect(res.statusCode, payload).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0]).toMatchObject({ field, message: expect.stringContaining('surrogate') });
    }
    const emoji = await app.inject({ method: 'POST', url: '/api/echo', payload: '{"name":"\\ud83d\\ude00"}', headers: json });
    expect(emoji.statusCode).toBe(200);
    expect(emoji.json().name).toBe('😀');
    expect(findBadText({ q: '\ud800' }, 'querystring')).toMatchObject({ field: 'querystring.q' });
  });

  it('hides internals of server faults and answers unknown routes with a 404 problem', async () => {
    const app = await build();
    const res = await app.inject({ method: 'GET', url: '/api/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internals');
    expect(res.body).not.toContain('app.ts');
    const missing = await app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('carries a valid X-Correlation-Id through and never logs a token from the URL', async () => {
    const lines: string[] = [];
    const app = await build(lines);
    const id = '2f1c7d8e-4b5a-4c3d-9e8f-0a1b2c3d4e5f';
    const res = await app.inject({ method: 'GET', url: '/api/nothing?token=supersecret', headers: { 'x-correlation-id': id } });
    expect(res.headers['x-correlation-id']).toBe(id);
    const bogus = await app.inject({ method: 'GET', url: '/api/nothing', headers: { 'x-correlation-id': 'not a uuid' } });
    expect(bogus.headers['x-correlation-id']).not.toBe('not a uuid');
    expect(lines.join('')).not.toContain('supersecret');
    expect(lines.join('')).toContain('[redacted]');
  });
});
