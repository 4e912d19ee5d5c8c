import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted, WorkspaceSettingsDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(process.cwd(), '.tmp', 'screens');
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

/** As in phone-layout.browser.e2e.spec.ts: what sticks out on the right without a scrolling ancestor to hold it. */
const overflowing = (page: Page) =>
  page.evaluate(() => {
    const width = window.innerWidth;
    const clipped = (el: Element): boolean => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if ((o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') && p.getBoundingClientRect().right <= width + 1) return true;
      }
      return false;
    };
    const out: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1 || clipped(el)) continue;
      const cls = typeof el.className === 'string' ? el.className.split(' ').slice(0, 2).join('.') : '';
      out.push(`${el.tagName.toLowerCase()}.${cls} right=${Math.round(r.right)}`);
      if (out.length >= 8) break;
    }
    const doc = document.documentElement.scrollWidth > width ? [`document scrollWidth=${document.documentElement.scrollWidth}`] : [];
    return [...doc, ...out];
  });

/** The workspace currency in Settings: an admin chooses EUR and the board's money is in euros; a rep reads it; a conflict is said in words. */
describe('workspace currency in the web app', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;

  const current = async () => (await s.api<WorkspaceSettingsDto>('GET', '/api/settings/workspace', admin)).body;
  const setByApi = async (currency: string) => {
    const res = await s.api<CommandAccepted>('PUT', '/api/settings/workspace', admin, { currency }, { 'if-match': String((await current()).version) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    fs.mkdirSync(SHOTS, { recursive: true });
    s = await startTestStack({ web: true });
    admin = await s.login('admin@test.local', s.adminPassword);
    expect((await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'rex@test.local', name: 'Rex Rep', role: 'rep', password: 'a-long-password-1' })).status).toBe(201);
    expect((await s.api<CommandAccepted>('POST', '/api/leads', admin, { company: 'Euro Deal GmbH', lastName: 'Weber', dealValue: 12500 })).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function signIn(email: string, password: string, viewport: { width: number; height: number }): Promise<Page> {
    const page = await (await browser.newContext({ viewport, locale: 'en-US' })).newPage();
    await page.goto(s.url + '/login');
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
    return page;
  }

  const columnTotals = (page: Page) => page.locator('.column__total').allTextContents();

  for (const viewport of VIEWPORTS) {
    it(`at ${viewport.width} px an admin chooses EUR in Settings and the board shows euros`, async () => {
      await setByApi('USD');
      const page = await signIn('admin@test.local', s.adminPassword, viewport);
      await expect.poll(() => columnTotals(page), { timeout: 10_000 }).toContain('$12,500');

      if (viewport.width < 640) {
        await page.getByTestId('nav-menu').click();
        await page.getByTestId('menu-nav-settings').click();
      } else await page.getByTestId('nav-settings').click();
      const select = page.getByTestId('workspace-currency');
      await select.waitFor();
      expect(await select.inputValue()).toBe('USD');
      const labels = await select.locator('option').allTextContents();
      expect(labels.slice(0, 3)).toEqual(['USD — US Dollar', 'EUR — Euro', 'GBP — British Pound']);
      expect(labels.length).toBeGreaterThan(100);
      expect(await page.getByTestId('workspace-save').isDisabled()).toBe(true);

      await select.selectOption('EUR');
      expect(await page.getByTestId('workspace-example').textContent()).toContain('€12,500');
      await page.getByTestId('workspace-save').click();
      await page.getByText('Amounts are shown in EUR — Euro.').waitFor({ timeout: 10_000 });
      expect((await current()).currency).toBe('EUR');
      await page.screenshot({ path: path.join(SHOTS, `${viewport.width}-settings-workspace.png`) });
      expect(await overflowing(page)).toEqual([]);
      await page.getByTestId('settings-elsewhere').scrollIntoViewIfNeeded();
      expect(await page.getByTestId('settings-elsewhere').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['/users', '/assignments', '/', '/account']);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(SHOTS, `${viewport.width}-settings-elsewhere.png`) });
      expect(await overflowing(page)).toEqual([]);

      await page.getByTestId('elsewhere-pipelines').click();
      await expect.poll(() => columnTotals(page), { timeout: 10_000 }).toContain('€12,500');
      if (viewport.width >= 640) expect(await page.locator('.toolbar__stats').textContent()).toContain('Open value€12,500');
      await page.screenshot({ path: path.join(SHOTS, `${viewport.width}-board-eur.png`) });
      expect(await overflowing(page)).toEqual([]);
      await page.context().close();
    });
  }

  it('a rep reads the currency in Settings without a control to change it, and sees euros on the board', async () => {
    await setByApi('EUR');
    const page = await signIn('rex@test.local', 'a-long-password-1', VIEWPORTS[1]);
    await expect.poll(() => columnTotals(page), { timeout: 10_000 }).toContain('€12,500');
    await page.goto(s.url + '/settings');
    expect(await page.getByTestId('workspace-currency-value').textContent()).toBe('EUR — Euro');
    expect(await page.getByTestId('workspace-currency').count()).toBe(0);
    expect(await page.getByTestId('field-permissions').count()).toBe(0);
    expect(await page.getByTestId('settings-elsewhere').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['/assignments', '/', '/account']);
    await page.screenshot({ path: path.join(SHOTS, '390-settings-rep.png'), fullPage: true });
    expect(await overflowing(page)).toEqual([]);
    await page.context().close();
  });

  it('a change made meanwhile by someone else is said in words, with a reload', async () => {
    await setByApi('EUR');
    const page = await signIn('admin@test.local', s.adminPassword, VIEWPORTS[0]);
    await page.goto(s.url + '/settings');
    const select = page.getByTestId('workspace-currency');
    await select.waitFor();
    await setByApi('GBP');
    await select.selectOption('JPY');
    await page.getByTestId('workspace-save').click();
    expect(await page.getByTestId('workspace-conflict').textContent()).toContain('Someone else changed this meanwhile; reload');
    expect((await current()).currency).toBe('GBP');
    await page.getByTestId('workspace-reload').click();
    await expect.poll(() => select.inputValue()).toBe('GBP');
    await page.context().close();
  });
});
