import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './testing/app.ts';

let db: TestDatabase;
let app: FastifyInstance;
let dist: string;

beforeAll(async () => {
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'leadline-web-'));
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Leadline</title><div id="app"></div>');
  fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log("leadline")');
  fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(os.tmpdir(), 'leadline-secret.txt'), 'outside');
  db = await createTestDatabase();
  app = await buildTestApp(db, { webDist: dist });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  fs.rmSync(dist, { recursive: true, force: true });
  fs.rmSync(path.join(os.tmpdir(), 'leadline-secret.txt'), { force: true });
});

const get = (url: string, accept = 'text/html,application/xhtml+xml') => app.inject({ method: 'GET', url, headers: { accept } });

describe('the web app', () => {
  it('serves index.html at / and for deep links a browser navigates to', async () => {
    for (const url of ['/', '/board', '/leads/0f8fad5b-d9cb-469f-a165-70867728950e?tab=notes']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<div id="app">');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves built files, hashed assets as immutable', async () => {
    const asset = await get('/assets/index-abc123.js', '*/*');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    const icon = await get('/favicon.svg', 'image/*');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toContain('svg');
  });

  it('sends the strict CSP and the other security headers with the page, its files and deep links', async () => {
    for (const [url, accept] of [['/', 'text/html'], ['/board', 'text/html'], ['/assets/index-abc123.js', '*/*'], ['/favicon.svg', 'image/*']]) {
      const res = await get(url, accept);
      expect(res.statusCode, url).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"]) expect(csp, url).toContain(directive);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('keeps unknown API paths and missing files 404 problems', async () => {
    const api = await get('/api/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect((await get('/assets/missing.js', '*/*')).statusCode).toBe(404);
  });

  it('does not serve files outside the build', async () => {
    const res = await get('/..%2Fleadline-secret.txt', '*/*');
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('outside');
  });

  it('leaves the API routes to their handlers', async () => {
    expect((await get('/api/users', 'application/json')).statusCode).toBe(401);
  });
});
