import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted, LeadDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The leads list (filters in the URL, paging, bulk assign of a selection) and global search (/, Ctrl+K, arrows, Enter). */
describe('leads list and global search', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;
  let repId: string;
  const ids: string[] = [];
  let zebra: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    admin = await s.login('admin@test.local', s.adminPassword);
    repId = (await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'lia@test.local', name: 'Lia Rep', role: 'rep', password: 'a-long-password-1' })).body.id;
    let last = '';
    for (let i = 0; i < 55; i++) {
      const res = await s.api<CommandAccepted>('POST', '/api/leads', admin, { company: `Listco ${String(i).padStart(2, '0')}`, email: `buyer${i}@listco.example` });
      ids.push(res.body.id);
      last = res.body.checkpoint;
    }
    const z = await s.api<CommandAccepted>('POST', '/api/leads', admin, { firstName: 'Zora', lastName: 'Quill', company: 'Zebra Works', phone: '+1 (555) 010-7788', dealValue: 999999, customFields: { externalId: 'CRM-00042', tier: 'gold' } });
    zebra = z.body.id;
    const act = await s.api<CommandAccepted>('POST', '/api/activities', admin, { type: 'note', leadId: zebra, subject: 'Marmalade pricing question' });
    expect(act.status).toBe(201);
    expect((await s.api('GET', `/api/leads?limit=1&minCheckpoint=${act.body.checkpoint > last ? act.body.checkpoint : last}`, admin)).status).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function signIn(width = 1280): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width, height: 800 } })).newPage();
    await page.goto(s.url + '/login');
    await page.getByTestId('login-email').fill('admin@test.local');
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(s.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
    return page;
  }
  const rows = (page: Page) => page.locator('[data-testid^="lead-row-"]');

  it('lists the leads, pages with Show more, keeps the filter in the URL, and assigns a selection', async () => {
    const page = await signIn();
    await page.getByTestId('nav-leads').click();
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(50);
    await page.getByTestId('leads-more').click();
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(56);
    expect(await page.getByTestId('leads-more').count()).toBe(0);

    await page.getByTestId('filter-q').fill('listco 0');
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(10);
    await expect.poll(() => new URL(page.url()).searchParams.get('q'), { timeout: 5_000 }).toBe('listco 0');
    await page.reload();
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(10);

    const first = ids[0];
    const second = ids[1];
    await page.getByTestId(`lead-row-${first}`).locator('input[type="checkbox"]').check();
    await page.getByTestId(`lead-row-${second}`).locator('input[type="checkbox"]').check();
    await page.getByTestId('leads-assign').click();
    await page.getByTestId('bulk-owner').selectOption({ label: 'Lia Rep' });
    await page.getByTestId('bulk-run').click();
    await expect.poll(() => page.getByTestId('bulk-report').textContent(), { timeout: 15_000 }).toContain('2 assigned');
    for (const id of [first, second]) await expect.poll(async () => (await s.api<LeadDto>('GET', `/api/leads/${id}`, admin)).body.ownerId, { timeout: 10_000 }).toBe(repId);
    await page.context().close();
  });

  it('sorts by a heading click or the sort select (kept in the URL), and shows the columns a user chooses, custom fields included', async () => {
    const page = await signIn();
    await page.goto(s.url + '/leads');
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(50);
    const firstRow = () => rows(page).first().getAttribute('data-testid');
    // Newest first by default: Zora was created last.
    await expect.poll(firstRow, { timeout: 10_000 }).toBe(`lead-row-${zebra}`);
    await page.getByTestId('leads-th-company').locator('button').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort'), { timeout: 5_000 }).toBe('company');
    await expect.poll(firstRow, { timeout: 10_000 }).toBe(`lead-row-${ids[0]}`);
    expect(await page.getByTestId('leads-th-company').getAttribute('aria-sort')).toBe('ascending');
    await page.getByTestId('leads-th-company').locator('button').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('dir'), { timeout: 5_000 }).toBe('desc');
    await expect.poll(firstRow, { timeout: 10_000 }).toBe(`lead-row-${zebra}`);
    // The only lead with a name comes first A to Z (empty names last).
    await page.getByTestId('leads-sort').selectOption('name');
    await expect.poll(() => new URL(page.url()).searchParams.get('dir'), { timeout: 5_000 }).toBe(null);
    await expect.poll(firstRow, { timeout: 10_000 }).toBe(`lead-row-${zebra}`);
    await page.reload();
    await expect.poll(() => page.getByTestId('leads-sort').inputValue(), { timeout: 10_000 }).toBe('name');
    await expect.poll(firstRow, { timeout: 10_000 }).toBe(`lead-row-${zebra}`);

    await page.getByTestId('leads-columns').click();
    await page.getByTestId('column-email').uncheck();
    await page.getByTestId('column-phone').check();
    await page.getByTestId('column-custom.tier').check();
    await page.getByTestId('columns-save').click();
    await page.getByTestId('leads-th-phone').waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('leads-th-email').count()).toBe(0);
    expect(await page.getByTestId(`lead-row-${zebra}`).textContent()).toContain('+1 (555) 010-7788');
    expect(await page.getByTestId(`lead-row-${zebra}`).textContent()).toContain('gold');
    expect(await page.getByTestId('leads-th-custom.tier').textContent()).toContain('Tier');
    // The choice is the user's, kept on this device.
    await page.reload();
    await page.getByTestId('leads-th-phone').waitFor({ timeout: 10_000 });
    await page.context().close();
  });

  it('finds a lead by company and an activity by its words with Ctrl+K or /, and opens the chosen one with Enter', async () => {
    const page = await signIn();
    await page.keyboard.press('Control+k');
    await page.getByTestId('search-input').fill('zebra');
    await expect.poll(() => page.getByTestId('search-results').textContent(), { timeout: 10_000 }).toContain('Zora Quill');
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe(`/leads/${zebra}`);

    await page.locator('body').press('/');
    await page.getByTestId('search-input').fill('marmalade');
    await expect.poll(() => page.getByTestId('search-results').textContent(), { timeout: 10_000 }).toContain('Marmalade pricing question');
    await page.getByTestId('search-input').fill('listco 1');
    await expect.poll(() => page.locator('[data-testid^="search-hit-"]').count(), { timeout: 10_000 }).toBe(10);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.getByTestId('search-hit-2').getAttribute('aria-selected')).toBe('true');
    // Phone digits and the external id find the lead too, and the hit shows what matched.
    await page.getByTestId('search-input').fill('0107788');
    await expect.poll(() => page.getByTestId('search-results').textContent(), { timeout: 10_000 }).toContain('+1 (555) 010-7788');
    await page.getByTestId('search-input').fill('crm-00042');
    await expect.poll(() => page.getByTestId('search-results').textContent(), { timeout: 10_000 }).toContain('external id CRM-00042');
    await page.getByTestId('search-input').fill('no such thing at all');
    await page.getByTestId('search-none').waitFor({ timeout: 10_000 });
    await page.context().close();
  });
});
