import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted, FieldPolicyDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The Settings page's field permissions grid, and what it does to the lead page and the board of the roles it restricts. */
describe('field permissions settings in a real browser', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;
  let leadId: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true, repVisibility: 'all' });
    admin = await s.login('admin@test.local', s.adminPassword);
    await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'ana@test.local', name: 'Ana Analyst', role: 'analyst', password: 'ana-password-12' });
    await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'rita@test.local', name: 'Rita Rep', role: 'rep', password: 'rita-password-1' });
    leadId = (await s.api<CommandAccepted>('POST', '/api/leads', admin, { firstName: 'Grace', lastName: 'Hopper', company: 'Navy', phone: '+1 555 0100', dealValue: 424242 })).body.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function signedIn(email: string, password: string, viewport = { width: 1400, height: 900 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(s.url + '/');
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
    return page;
  }
  const policy = async () => (await s.api<FieldPolicyDto>('GET', '/api/settings/field-permissions', admin)).body;

  it('lets an admin set cells, add a custom field and save with If-Match', async () => {
    const page = await signedIn('admin@test.local', s.adminPassword);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('fp-grid').waitFor();
    expect(await page.getByTestId('fp-cell-analyst-email').inputValue()).toBe('hidden');
    expect(await page.getByTestId('fp-save').isDisabled()).toBe(true);
    await page.getByTestId('fp-cell-analyst-dealValue').selectOption('hidden');
    await page.getByTestId('fp-cell-rep-phone').selectOption('read_only');
    await page.getByTestId('fp-new-key').fill('tier');
    await page.getByTestId('fp-new-label').fill('Tier');
    await page.getByTestId('fp-add-field').click();
    expect(await page.getByTestId('fp-cell-manager-custom.tier').inputValue()).toBe('hidden');
    await page.getByTestId('fp-cell-manager-custom.tier').selectOption('visible');
    await page.getByTestId('fp-scope').selectOption('other_teams');
    expect(await page.getByTestId('fp-cell-rep-dealValue').inputValue()).toBe('inherit');
    await page.getByTestId('fp-save').click();
    await expect.poll(async () => (await policy()).version, { timeout: 10_000 }).toBe(1);
    expect((await policy()).rules).toEqual(
      expect.arrayContaining([
        { role: 'analyst', leads: 'all', teamId: null, field: 'dealValue', access: 'hidden' },
        { role: 'rep', leads: 'all', teamId: null, field: 'phone', access: 'read_only' },
        { role: 'manager', leads: 'all', teamId: null, field: 'custom.tier', access: 'visible' },
      ]),
    );
    await expect.poll(() => page.getByTestId('fp-save').isDisabled(), { timeout: 10_000 }).toBe(true);
    await page.context().close();
  });

  it('says so when someone else saved in between, and reloads their version', async () => {
    const page = await signedIn('admin@test.local', s.adminPassword);
    await page.goto(`${s.url}/settings`);
    await page.getByTestId('fp-grid').waitFor();
    await page.getByTestId('fp-cell-auditor-city').selectOption('hidden');
    const current = await policy();
    const other = await s.api('PUT', '/api/settings/field-permissions', admin, { rules: current.rules, customFields: current.customFields }, { 'if-match': String(current.version) });
    expect(other.status).toBe(200);
    await page.getByTestId('fp-save').click();
    await page.getByTestId('fp-conflict').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('fp-conflict').textContent()).toMatch(/someone else saved/i);
    await page.getByTestId('fp-reload').click();
    await expect.poll(() => page.getByTestId('fp-cell-auditor-city').inputValue(), { timeout: 10_000 }).toBe('visible');
    expect((await policy()).rules.some((r) => r.field === 'city')).toBe(false);
    await page.context().close();
  });

  it('leaves hidden fields out of the lead page and the board, and does not let a read-only one be edited', async () => {
    const ana = await signedIn('ana@test.local', 'ana-password-12');
    await ana.getByTestId(`card-${leadId}`).waitFor({ timeout: 15_000 });
    expect(await ana.getByTestId(`card-${leadId}`).locator('[data-field="value-hidden"]').count()).toBe(1);
    await ana.goto(`${s.url}/leads/${leadId}`);
    await ana.getByTestId('lead-name').waitFor();
    expect(await ana.getByTestId('field-dealValue').count()).toBe(0);
    expect(await ana.getByTestId('field-phone').count()).toBe(0);
    expect(await ana.locator('body').textContent()).not.toContain('424');
    await ana.context().close();

    const rita = await signedIn('rita@test.local', 'rita-password-1');
    await rita.goto(`${s.url}/leads/${leadId}`);
    await rita.getByTestId('field-phone').waitFor();
    await rita.getByTestId('field-phone').click();
    expect(await rita.getByTestId('edit-phone').count()).toBe(0);
    expect(await rita.getByTestId('field-phone').getAttribute('title')).toBe('+1 555 0100');
    await rita.getByTestId('field-city').click();
    expect(await rita.getByTestId('edit-city').count()).toBe(1);
    await rita.context().close();
  });

  it('turns the grid into a list per role on a 390 px phone, without sideways scrolling', async () => {
    const page = await signedIn('admin@test.local', s.adminPassword, { width: 390, height: 844 });
    await page.goto(`${s.url}/settings`);
    await page.getByTestId('fp-list').waitFor();
    expect(await page.getByTestId('fp-grid').count()).toBe(0);
    for (const role of ['manager', 'rep', 'auditor', 'analyst']) expect(await page.getByTestId(`fp-role-${role}`).count()).toBe(1);
    expect(await page.getByTestId('fp-role-analyst').getByTestId('fp-cell-analyst-email').inputValue()).toBe('hidden');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByTestId('fp-cell-rep-title').selectOption('hidden');
    expect(await page.getByTestId('fp-save').isEnabled()).toBe(true);
    await page.context().close();
  });
});
