import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** An admin forgets a person from the lead page on a phone-sized screen; the lead, its timeline and the board then read "Erased". */
describe('forget this person in a real browser (390 px)', () => {
  let s: TestStack;
  let browser: Browser;
  let leadId: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    const admin = await s.login('admin@test.local', s.adminPassword);
    await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'rita@test.local', name: 'Rita Rep', role: 'rep', password: 'rita-password-1' });
    leadId = (await s.api<CommandAccepted>('POST', '/api/leads', admin, { firstName: 'Wilhelmina', lastName: 'Strand', email: 'w.strand@example.com', company: 'Strand & Co', dealValue: 900 })).body.id;
    await s.api('POST', '/api/activities', admin, { type: 'note', leadId, subject: 'Wilhelmina prefers mornings', description: 'Call Wilhelmina before ten' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function openLead(email: string, password: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await page.goto(s.url + '/');
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`card-${leadId}`).waitFor({ timeout: 15_000 });
    await page.goto(`${s.url}/leads/${leadId}`);
    await page.getByTestId('lead-name').waitFor({ timeout: 10_000 });
    return page;
  }

  const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('is not offered to a rep', async () => {
    const page = await openLead('rita@test.local', 'rita-password-1');
    expect(await page.getByTestId('lead-name').textContent()).toContain('Wilhelmina Strand');
    expect(await page.getByTestId('forget-open').count()).toBe(0);
    await page.context().close();
  });

  it('asks an admin why and says what goes, then shows the lead, its timeline and its card as "Erased"', async () => {
    const page = await openLead('admin@test.local', s.adminPassword);
    await expect.poll(() => page.getByTestId('timeline').locator('li[data-kind]').count(), { timeout: 10_000 }).toBe(2);
    await page.getByTestId('forget-open').click();
    const dialog = page.getByTestId('forget-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Wilhelmina Strand');
    expect(await page.getByTestId('forget-erased').textContent()).toContain('Email and phone');
    expect(await fitsWidth(page)).toBe(true);

    await page.getByTestId('forget-confirm').click();
    await page.getByTestId('forget-error').waitFor();
    expect(await page.getByTestId('forget-error').textContent()).toContain('required');

    await page.getByTestId('forget-reason').fill('Erasure request #2026-117');
    await page.getByTestId('forget-confirm').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    await expect.poll(() => page.getByTestId('lead-name').textContent(), { timeout: 10_000 }).toBe('Erased');
    await page.getByTestId('lead-erased').waitFor();
    expect(await page.getByTestId('forget-open').count()).toBe(0);
    expect(await page.getByTestId('quick-note').count()).toBe(0);
    await expect.poll(() => page.getByTestId('timeline').textContent(), { timeout: 10_000 }).toContain("Erased this person's personal data: Erasure request #2026-117");
    const text = (await page.locator('main').textContent()) ?? '';
    for (const gone of ['Wilhelmina', 'Strand,', 'w.strand@example.com', 'before ten']) expect(text, gone).not.toContain(gone);
    expect(text).toContain('Strand & Co');
    expect(await fitsWidth(page)).toBe(true);

    await page.goto(s.url + '/');
    await expect.poll(() => page.getByTestId(`card-${leadId}`).textContent(), { timeout: 10_000 }).toContain('Erased');
    await page.context().close();
  });
});
