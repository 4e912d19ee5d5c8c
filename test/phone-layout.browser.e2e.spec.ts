import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Board } from '@leadline/contracts';
import { DEMO_PASSWORD, seedDemo } from '../scripts/demo.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(process.cwd(), '.tmp', 'screens');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** Elements that stick out of the viewport on the right without a scrolling ancestor to hold them: what a user would have to pan to. */
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

/**
 * Every page and dialog at 390 × 844 (a phone) for each kind of user: the menu reaches every page
 * the role may open, nothing is wider than the screen. The same pages at 1280 × 800. Screenshots of
 * each go to .tmp/screens to be looked at.
 */
describe('phone layout: every page and dialog at 390 px, and at 1280 px', () => {
  let s: TestStack;
  let browser: Browser;
  let leadId: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    fs.mkdirSync(SHOTS, { recursive: true });
    s = await startTestStack({ web: true, repVisibility: 'all' });
    await seedDemo(s, { leads: 60, log: () => undefined });
    const admin = await s.login('admin@test.local', s.adminPassword);
    // The projections catch up with the seeding: wait until the board shows every seeded lead.
    let board = await s.api<Board>('GET', '/api/pipeline/board', admin);
    for (let i = 0; i < 60 && board.body.columns.reduce((n, c) => n + c.count, 0) < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      board = await s.api<Board>('GET', '/api/pipeline/board', admin);
    }
    leadId = board.body.columns.flatMap((c) => c.cards)[0].id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function signedIn(email: string, password: string, viewport = PHONE): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(s.url + '/login');
    await page.screenshot({ path: path.join(SHOTS, `${viewport.width}-login.png`) });
    expect(await overflowing(page)).toEqual([]);
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
    return page;
  }

  /** Lets the page's reads land and charts lay out before it is measured. */
  const settle = async (page: Page) => {
    await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => undefined);
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
    await page.waitForTimeout(200);
  };

  const check = async (page: Page, name: string) => {
    await settle(page);
    await page.screenshot({ path: path.join(SHOTS, `${page.viewportSize()!.width}-${name}.png`), fullPage: false });
    expect({ name, overflowing: await overflowing(page) }).toEqual({ name, overflowing: [] });
  };

  // The admin walks every page; the other roles walk the pages whose controls differ by role.
  const users = [
    { role: 'admin', email: 'admin@test.local', pages: ['board', 'leads', 'analytics', 'activities', 'templates', 'assignments', 'users', 'settings', 'audit', 'account'], walk: null },
    { role: 'rep', email: 'raj.rep@demo.leadline', pages: ['board', 'leads', 'analytics', 'activities', 'templates', 'assignments', 'account'], walk: ['leads', 'activities', 'assignments'] },
    { role: 'analyst', email: 'leo.analyst@demo.leadline', pages: ['board', 'leads', 'analytics', 'activities', 'templates', 'assignments', 'account'], walk: ['assignments', 'templates'] },
    { role: 'auditor', email: 'anna.auditor@demo.leadline', pages: ['board', 'leads', 'analytics', 'activities', 'templates', 'assignments', 'audit', 'account'], walk: ['audit'] },
  ] as const;

  for (const u of users) {
    it(`the menu offers the ${u.role} every page they may open, and the pages it opens fit a phone`, async () => {
      const page = await signedIn(u.email, u.role === 'admin' ? s.adminPassword : DEMO_PASSWORD);
      await check(page, `${u.role}-board`);
      expect(await page.getByTestId('nav-menu').isVisible()).toBe(true);
      await page.getByTestId('nav-menu').click();
      const offered = await page.locator('[data-testid^="menu-nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('menu-nav-', '')));
      expect(offered).toEqual([...u.pages]);
      await page.keyboard.press('Escape');
      for (const name of u.walk ?? u.pages.slice(1)) {
        await page.getByTestId('nav-menu').click();
        await page.getByTestId(`menu-nav-${name}`).click();
        await page.getByTestId('nav-drawer').waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
        await page.locator('main#main').waitFor({ timeout: 10_000 });
        await check(page, `${u.role}-${name}`);
      }
      await page.context().close();
    });
  }

  it('dialogs are full-width sheets on a phone: add lead, stages, assign leads, rule builder, lead page', async () => {
    const page = await signedIn('admin@test.local', s.adminPassword);
    await page.locator('[data-testid^="add-lead-"]').first().click();
    await page.locator('.p-dialog').waitFor();
    await check(page, 'dialog-add-lead');
    await page.keyboard.press('Escape');
    await page.locator('.p-dialog').waitFor({ state: 'detached' });

    await page.getByTestId('manage-stages').click();
    await page.getByTestId('stage-list').waitFor();
    await check(page, 'dialog-stages');
    await page.keyboard.press('Escape');
    await page.locator('.p-dialog').waitFor({ state: 'detached' });

    // Many open leads: the button names the count, and Assign waits for a confirmation that names it too.
    const open = Number((await page.getByTestId('open-bulk-assign').textContent())!.match(/Assign (\d+) open leads…/)![1]);
    expect(open).toBeGreaterThanOrEqual(25);
    await page.getByTestId('open-bulk-assign').click();
    await page.locator('.p-dialog').waitFor();
    await page.getByTestId('bulk-owner').selectOption({ index: 2 });
    expect(await page.getByTestId('bulk-run').isDisabled()).toBe(true);
    expect(await page.getByTestId('bulk-confirm').textContent()).toMatch(/Yes, change the owner of \d+ leads/);
    await page.getByTestId('bulk-confirm').locator('input').check();
    expect(await page.getByTestId('bulk-run').isDisabled()).toBe(false);
    await check(page, 'dialog-assign');
    await page.keyboard.press('Escape');
    await page.locator('.p-dialog').waitFor({ state: 'detached' });

    await page.goto(s.url + '/assignments');
    await page.getByTestId('new-rule').click();
    await page.getByTestId('rule-builder').waitFor();
    await check(page, 'rule-builder');

    await page.goto(s.url + `/leads/${leadId}`);
    await page.locator('main').waitFor();
    await check(page, 'lead');
    await page.context().close();
  });

  it('the same pages at 1280 × 800 keep the header navigation and fit the window', async () => {
    const page = await signedIn('admin@test.local', s.adminPassword, DESKTOP);
    expect(await page.getByTestId('nav-menu').isVisible()).toBe(false);
    for (const name of ['leads', 'activities', 'assignments', 'users', 'settings', 'audit']) {
      await page.getByTestId(`nav-${name}`).click();
      await page.locator('main#main').waitFor();
      await check(page, `admin-${name}`);
    }
    await page.getByTestId('nav-more').click();
    await page.getByTestId('menu-nav-analytics').click();
    await page.locator('main#main').waitFor();
    await check(page, 'admin-analytics');
    await page.getByTestId('nav-board').click();
    await check(page, 'admin-board');
    await page.goto(s.url + `/leads/${leadId}`);
    await page.locator('main').waitFor();
    await check(page, 'lead');
    await page.context().close();
  });
});
