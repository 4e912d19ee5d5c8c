import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A rep opens a lead from the board, logs a call in two clicks, and sees a colleague's note arrive live. */
describe('lead page and timeline in a real browser', () => {
  let s: TestStack;
  let browser: Browser;
  let leadId: string;
  let admin: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    admin = await s.login('admin@test.local', s.adminPassword);
    const rep = await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'rita@test.local', name: 'Rita Rep', role: 'rep', password: 'rita-password-1' });
    await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'mona@test.local', name: 'Mona Manager', role: 'manager', password: 'mona-password-1' });
    const created = await s.api<CommandAccepted>('POST', '/api/leads', admin, { firstName: 'Grace', lastName: 'Hopper', company: 'Navy Labs', ownerId: rep.body.id });
    leadId = created.body.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function logIn(page: Page, email = 'rita@test.local', password = 'rita-password-1') {
    await page.goto(s.url + '/');
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`card-${leadId}`).waitFor({ timeout: 15_000 });
  }

  it('opens the lead from its card, logs a call with an outcome in two clicks, and shows a second browser\'s note live', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await logIn(page);
    await page.getByTestId(`card-${leadId}`).click();
    await page.getByTestId('lead-name').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('lead-name').textContent()).toContain('Grace Hopper');
    await expect.poll(() => page.getByTestId('timeline').locator('li[data-kind]').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('live-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');

    // Two clicks: "Log call", then the outcome.
    await page.getByTestId('quick-call').click();
    await page.getByTestId('quick-call-left_voicemail').click();
    const top = page.getByTestId('timeline').locator('li[data-kind]').first();
    await expect.poll(() => top.getAttribute('data-kind'), { timeout: 10_000 }).toBe('call');
    expect(await top.getByTestId('entry-summary').textContent()).toBe('Call: Call with Grace Hopper (left voicemail)');

    // A manager in a second browser logs a note through the UI: it appears at the top of the first without a reload.
    const second = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await logIn(second, 'mona@test.local', 'mona-password-1');
    await second.goto(`${s.url}/leads/${leadId}`);
    await second.getByTestId('quick-note').click();
    await second.getByTestId('activity-subject').fill('Prefers email after 5pm');
    await second.getByTestId('activity-save').click();
    await second.getByTestId('activity-form').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByTestId('activity-form').count()).toBe(0);
    await expect.poll(() => top.getByTestId('entry-summary').textContent(), { timeout: 10_000 }).toMatch(/^Note: Prefers email after 5pm/);
    expect(await top.getByTestId('entry-actor').textContent()).toContain('Mona Manager');
    await second.context().close();

    // Inline edit of a header field lands in the timeline too.
    await page.getByTestId('field-title').click();
    await page.getByTestId('edit-title').fill('Rear Admiral');
    await page.getByTestId('edit-title').press('Enter');
    await expect.poll(() => top.getByTestId('entry-summary').textContent(), { timeout: 10_000 }).toBe('Changed title');
    await page.getByTestId('chip-calls').click();
    await expect.poll(() => page.getByTestId('timeline').locator('li[data-kind]').count(), { timeout: 10_000 }).toBe(1);
  });
});
