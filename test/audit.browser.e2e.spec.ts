import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditContext, recordAudit } from '@leadline/command';
import type { AuditPage, CommandAccepted } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(process.cwd(), '.tmp');
const HOSTILE = '<img src=x onerror="window.__audit_xss=1">';

/** An auditor reads, filters and exports the audit log in a real browser, on a desktop and on a 390 px phone; a rep is not offered it. */
describe('the Audit page in a real browser', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;
  let auditorId: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    admin = await s.login('admin@test.local', s.adminPassword);
    auditorId = (await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'audrey@test.local', name: 'Audrey Auditor', role: 'auditor', password: 'audrey-password-1' })).body.id;
    await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'rita@test.local', name: 'Rita Rep', role: 'rep', password: 'rita-password-1' });
    const ctx = (at: string) => ({ ...auditContext({ ip: '203.0.113.9', headers: { 'user-agent': `Mozilla/5.0 ${'(a very long user agent string) '.repeat(6)}` } }, { userId: s.admin.userId, role: 'admin', email: 'admin@test.local' }), at: new Date(at) });
    await recordAudit(s.pool, { ...ctx('2026-11-28T09:00:00Z'), actor: null }, { kind: 'login_failed', subject: { type: 'email', id: 'someone-with-a-long-address@example-corporation.test' }, detail: { reason: HOSTILE } });
    await recordAudit(s.pool, ctx('2026-11-29T09:00:00Z'), { kind: 'role_changed', subject: { type: 'user', id: auditorId }, detail: { from: 'rep', to: 'auditor' } });
    for (let i = 0; i < 6; i++) await recordAudit(s.pool, ctx(`2026-12-01T1${i}:00:00Z`), { kind: 'restricted_read', subject: { type: 'lead', id: crypto.randomUUID() }, detail: { fields: ['dealValue', 'email', 'phone'] } });
    for (const until = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 50))) {
      const listed = await s.api<AuditPage>('GET', '/api/audit?kind=login_failed,role_changed,restricted_read', admin);
      if (listed.body.items?.length === 8) break;
      if (Date.now() > until) throw new Error('the seeded audit events were not listed within 20 s');
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function signedIn(email: string, password: string, viewport = { width: 1400, height: 900 }): Promise<Page> {
    // Days are the browser's: India's +5:30 keeps every seeded event on its UTC day while the conversion is exercised.
    const page = await (await browser.newContext({ viewport, acceptDownloads: true, timezoneId: 'Asia/Kolkata' })).newPage();
    await page.goto(s.url + '/');
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
    return page;
  }
  const rows = (page: Page) => page.getByTestId('audit-table').locator('tbody tr');
  const kindsShown = (page: Page) => rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')));

  it('lets an auditor filter the log by kind, person and days, shows what was typed as text, and exports the filtered rows as CSV', async () => {
    const page = await signedIn('audrey@test.local', 'audrey-password-1');
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-table').waitFor();
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(8);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'audit-desktop.png') });

    await page.getByTestId('audit-kind').selectOption('login_failed');
    await expect.poll(() => kindsShown(page), { timeout: 10_000 }).toEqual(['login_failed']);
    const failed = rows(page).first();
    expect(await failed.textContent()).toContain(HOSTILE);
    expect(await failed.textContent()).toContain('Nobody signed in');
    expect(await page.getByTestId('audit-table').locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __audit_xss?: number }).__audit_xss)).toBeUndefined();

    await page.getByTestId('audit-kind').selectOption('');
    await page.getByTestId('audit-actor').selectOption(s.admin.userId);
    await page.getByTestId('audit-from').fill('2026-11-29');
    await page.getByTestId('audit-to').fill('2026-11-29');
    await expect.poll(() => kindsShown(page), { timeout: 10_000 }).toEqual(['role_changed']);
    await page.getByTestId('audit-to').fill('2026-11-28');
    await page.getByTestId('audit-range').waitFor();
    await page.getByTestId('audit-to').fill('2026-12-01');
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(7);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-.+\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toMatch(/^at,kind,actor_email,/);
    expect(csv.slice(1).map((l) => l.split(',')[1]).sort()).toEqual(['restricted_read', 'restricted_read', 'restricted_read', 'restricted_read', 'restricted_read', 'restricted_read', 'role_changed']);
    await expect
      .poll(async () => (await s.api<AuditPage>('GET', '/api/audit?kind=export', admin)).body.items.map((e) => e.actor?.userId), { timeout: 15_000 })
      .toEqual([auditorId]);
    await page.context().close();
  });

  it('on a 390 px phone lists the entries one under the other without scrolling sideways', async () => {
    const page = await signedIn('audrey@test.local', 'audrey-password-1', { width: 390, height: 844 });
    await page.goto(`${s.url}/audit`);
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(8);
    expect(await page.getByTestId('audit-table').locator('thead').isVisible()).toBe(false);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth, scrollers: [...document.querySelectorAll('main, .ll-table-wrap')].map((el) => el.scrollWidth - el.clientWidth) }));
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    expect(Math.max(...widths.scrollers)).toBeLessThanOrEqual(0);
    const [first, second] = await rows(page).evaluateAll((trs) => trs.slice(0, 2).map((tr) => tr.getBoundingClientRect().toJSON() as DOMRect));
    expect(second.top).toBeGreaterThanOrEqual(first.bottom - 1);
    expect(first.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, 'audit-phone-390x844.png'), fullPage: true });
    await page.context().close();
  });

  it('offers a rep neither the link nor the log', async () => {
    const page = await signedIn('rita@test.local', 'rita-password-1');
    expect(await page.getByTestId('nav-audit').count()).toBe(0);
    await page.goto(`${s.url}/audit`);
    await page.getByTestId('audit-forbidden').waitFor();
    expect(await page.getByTestId('audit-table').count()).toBe(0);
    await page.context().close();
  });
});
