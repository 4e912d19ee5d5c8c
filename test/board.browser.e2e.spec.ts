import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Board, CommandAccepted } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A rep's whole path in a real browser: log in, drag a card, reload, and a second browser sees it live. */
describe('board in a real browser', () => {
  let s: TestStack;
  let browser: Browser;
  let leadId: string;
  let qualifiedId: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    const admin = await s.login('admin@test.local', s.adminPassword);
    const rep = await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'rita@test.local', name: 'Rita Rep', role: 'rep', password: 'rita-password-1' });
    expect(rep.status).toBe(201);
    const created = await s.api<CommandAccepted>('POST', '/api/leads', admin, { firstName: 'Grace', lastName: 'Hopper', company: 'Navy Labs', dealValue: 5000, ownerId: rep.body.id });
    await s.api('POST', '/api/leads', admin, { firstName: 'Alan', lastName: 'Turing', company: 'Bletchley', dealValue: 800, ownerId: rep.body.id });
    leadId = created.body.id;
    const board = await s.api<Board>('GET', `/api/pipeline/board?minCheckpoint=${created.body.checkpoint}`, admin);
    qualifiedId = board.body.columns.find((c) => c.name === 'Qualified')!.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function logIn(page: Page) {
    await page.goto(s.url + '/');
    await page.getByTestId('login-email').fill('rita@test.local');
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill('rita-password-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`card-${leadId}`).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('live-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
  }

  async function drag(page: Page, from: string, to: string) {
    const source = page.getByTestId(from);
    const target = page.getByTestId(to);
    const a = (await source.boundingBox())!;
    const b = (await target.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) {
      await page.mouse.move(a.x + a.width / 2 + ((b.x + b.width / 2 - a.x - a.width / 2) * i) / 12, a.y + a.height / 2 + ((b.y + 60 - a.y - a.height / 2) * i) / 12);
      await page.waitForTimeout(30);
    }
    await page.mouse.up();
  }

  it('drags a card to another column; it stays after reload and moves live in another browser', async () => {
    const one = await (await browser.newContext({ viewport: { width: 1600, height: 900 } })).newPage();
    const two = await (await browser.newContext({ viewport: { width: 1600, height: 900 } })).newPage();
    await logIn(one);
    await logIn(two);

    const inQualified = (page: Page) => page.getByTestId(`column-${qualifiedId}`).getByTestId(`card-${leadId}`);
    await expect.poll(() => inQualified(two).count()).toBe(0);

    await drag(one, `card-${leadId}`, `column-${qualifiedId}`);
    await expect.poll(() => inQualified(one).count(), { timeout: 10_000 }).toBe(1);

    // The other browser sees the move without reloading.
    await expect.poll(() => inQualified(two).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => two.getByTestId(`column-count-${qualifiedId}`).textContent(), { timeout: 10_000 }).toContain('1');

    await one.reload();
    await one.getByTestId(`card-${leadId}`).waitFor({ timeout: 15_000 });
    expect(await inQualified(one).count()).toBe(1);
  });
});
