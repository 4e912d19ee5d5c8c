import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssignmentHistoryEntry, CommandAccepted } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A manager builds a routing rule in the real UI; a matching new lead lands with the rep, and the lead page says why. */
describe('assignment rules in a real browser', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;
  let repId: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    admin = await s.login('admin@test.local', s.adminPassword);
    const rep = await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'dora@test.local', name: 'Dora Rep', role: 'rep', password: 'dora-password-1' });
    repId = rep.body.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('builds a rule in the UI, creates a matching lead and sees it assigned', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    await page.goto(s.url + '/login');
    await page.getByTestId('login-email').fill('admin@test.local');
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(s.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
    await page.goto(s.url + '/assignments');
    await page.getByTestId('assignments-page').waitFor({ timeout: 15_000 });

    // A team with Dora, then a rule: country is DE → round robin over the team.
    await page.getByTestId('team-name').fill('Germany');
    await page.getByTestId('member-Dora Rep').check();
    await page.getByTestId('create-team').click();
    await page.getByTestId('team-Germany').waitFor({ timeout: 10_000 });
    await page.getByTestId('new-rule').click();
    await page.getByTestId('rule-name').fill('German leads');
    await page.getByTestId('rule-team').selectOption({ label: 'Germany' });
    await page.getByTestId('add-condition-root').click();
    await page.getByTestId('field-root.0').selectOption('country');
    await page.getByTestId('operator-root.0').selectOption('in');
    await page.getByTestId('value-root.0').fill('DE, AT');
    await page.getByTestId('value-root.0').press('Tab');
    await page.getByTestId('save-rule').click();
    await page.getByTestId('rule-German leads').waitFor({ timeout: 10_000 });

    // The what-if over the (empty) past shows its chart.
    await page.getByTestId('simulate').click();
    await expect.poll(() => page.getByTestId('sim-summary').textContent(), { timeout: 10_000 }).toContain('leads created in the period');
    await page.getByTestId('simulation-chart').waitFor();

    const lead = await s.api<CommandAccepted>('POST', '/api/leads', admin, { company: 'Berliner Bau', country: 'DE' });
    expect(lead.status).toBe(201);
    await page.goto(`${s.url}/leads/${lead.body.id}`);
    const history = page.getByTestId('assignment-history');
    await expect.poll(async () => {
      await page.reload();
      return (await history.textContent({ timeout: 5_000 })) ?? '';
    }, { timeout: 15_000, interval: 300 }).toContain('Assigned to Dora Rep by rule "German leads" (country is one of DE, AT)');
    const api = await s.api<{ items: AssignmentHistoryEntry[] }>('GET', `/api/leads/${lead.body.id}/assignment-history`, admin);
    expect(api.body.items[0]).toMatchObject({ ownerId: repId, ruleName: 'German leads', via: 'rule' });
  });

  it('bulk-assigns the board leads from the modal with a progress bar and a report', async () => {
    for (let i = 0; i < 5; i++) await s.api('POST', '/api/leads', admin, { company: `Bulk ${i}`, source: 'expo' });
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    await page.goto(s.url + '/login');
    await page.getByTestId('login-email').fill('admin@test.local');
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(s.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('open-bulk-assign').click({ timeout: 15_000 });
    await page.getByTestId('bulk-owner').selectOption({ label: 'Dora Rep' });
    await page.getByTestId('bulk-run').click();
    await expect.poll(() => page.getByTestId('bulk-report').textContent(), { timeout: 15_000 }).toMatch(/\d+ assigned, \d+ already theirs, 0 failed/);
    await page.getByTestId('bulk-progress').waitFor();
    const owned = async () => Number((await s.db.pool.query(`SELECT count(*) FROM read.leads WHERE source = 'expo' AND owner_id = $1`, [repId])).rows[0].count);
    await expect.poll(owned, { timeout: 5_000 }).toBe(5);
  });
});
