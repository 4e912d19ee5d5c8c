import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Swagger UI at /api/docs works under the server's CSP (the one every answer carries) for a signed-in user. */
describe('API docs in a real browser', () => {
  let s: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('shows the operations to a signed-in user without a CSP violation, and nothing to a visitor', async () => {
    const token = await s.login('admin@test.local', s.adminPassword);
    const context = await browser.newContext();
    const violations: string[] = [];
    await context.exposeBinding('__reportCsp', (_source, v: string) => void violations.push(v));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
    });
    const page = await context.newPage();
    const visitor = await page.goto(`${s.url}/api/docs/`);
    expect(visitor?.status()).toBe(401);

    await context.addCookies([{ name: 'leadline_session', value: token, url: s.url }]);
    const answer = await page.goto(`${s.url}/api/docs/`);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock-summary-path', { hasText: '/api/leads' }).first().waitFor({ timeout: 20_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    // Open one operation, try it out against the API (same origin, with the cookie) and read the answer.
    const users = page.locator('.opblock-get', { has: page.locator('.opblock-summary-path', { hasText: /^\/api\/users$/ }) }).first();
    await users.locator('.opblock-summary').click();
    await users.getByRole('button', { name: 'Try it out' }).click();
    await users.getByRole('button', { name: 'Execute' }).click();
    await users.locator('.responses-table .response-col_status', { hasText: '200' }).first().waitFor({ timeout: 10_000 });
    await expect.poll(() => users.locator('.live-responses-table').textContent(), { timeout: 10_000 }).toContain('admin@test.local');
    expect(violations).toEqual([]);
    await context.close();
  });
});
