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
      // Read once it has answered: until then it says "Loading…" (read at once, a slow answer was never seen).
      await history.and(page.locator('[aria-busy="false"]')).waitFor({ timeout: 5_000 });
      return (await history.textContent()) ?? '';
    }, { timeout: 15_000, interval: 300 }).toContain('Assigned to Dora Rep by rule "German leads" (country is one of DE, AT)');
    const api = await s.api<{ items: AssignmentHistoryEntry[] }>('GET', `/api/leads/${lead.body.id}/assignment-history`, admin);
    expect(api.body.items[0]).toMatchObject({ ownerId: repId, ruleName: 'German leads', via: 'rule' });
  });

  it('bulk-assigns the board leads from the modal with a progress bar and a report', async () => {
    let last = '';
    for (let i = 0; i < 5; i++) last = (await s.api<CommandAccepted>('POST', '/api/leads', admin, { company: `Bulk ${i}`, source: 'expo' })).body.checkpoint;
    // The bulk assignment covers the leads the board shows: wait until the board has all five.
    expect((await s.api('GET', `/api/pipeline/board?minCheckpoint=${last}`, admin)).status).toBe(200);
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
    await expect.poll(owned, { timeout: 15_000 }).toBe(5);
  });

  it('selects two cards on the board and assigns just those from the dialog', async () => {
    const eli = await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'eli@test.local', name: 'Eli Rep', role: 'rep', password: 'eli-password-1' });
    const ids: string[] = [];
    for (const company of ['Pick One', 'Leave Me', 'Pick Two']) ids.push((await s.api<CommandAccepted>('POST', '/api/leads', admin, { company, source: 'select-test' })).body.id);
    const [first, other, second] = ids;
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    await page.goto(s.url + '/login');
    await page.getByTestId('login-email').fill('admin@test.local');
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(s.adminPassword);
    await page.getByTestId('login-submit').click();
    for (const id of ids) await page.getByTestId(`card-${id}`).waitFor({ timeout: 15_000 });
    const owner = (id: string) => page.getByTestId(`card-${id}`).locator('[data-field="owner"]').textContent();

    // Select mode: checkboxes appear, the card menus (and dragging) go away.
    await expect.poll(() => page.getByTestId(`card-menu-${first}`).count()).toBe(1);
    await page.getByTestId('select-toggle').click();
    await expect.poll(() => page.getByTestId(`card-menu-${first}`).count()).toBe(0);
    await page.getByTestId(`card-select-${first}`).click();
    // The keyboard works too: focus the second checkbox and press Space.
    await page.getByTestId(`card-select-${second}`).focus();
    await page.keyboard.press('Space');
    expect(await page.getByTestId(`card-select-${second}`).getAttribute('aria-checked')).toBe('true');
    expect(await page.getByTestId(`card-select-${other}`).getAttribute('aria-checked')).toBe('false');
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toContain('2 selected');

    await page.getByTestId('assign-selected').click();
    await expect.poll(() => page.getByTestId('bulk-assign-dialog').textContent()).toContain('The 2 selected leads go');
    await page.getByTestId('bulk-owner').selectOption({ label: 'Eli Rep' });
    await page.getByTestId('bulk-run').click();
    await expect.poll(() => page.getByTestId('bulk-report').textContent(), { timeout: 15_000 }).toContain('2 assigned, 0 already theirs, 0 failed');
    await expect.poll(() => owner(first), { timeout: 10_000 }).toContain('Eli Rep');
    await expect.poll(() => owner(second), { timeout: 10_000 }).toContain('Eli Rep');
    expect(await owner(other)).toContain('Unassigned');
    const owners = await s.db.pool.query<{ id: string; owner_id: string | null }>(`SELECT id, owner_id FROM read.leads WHERE source = 'select-test'`);
    expect(Object.fromEntries(owners.rows.map((r) => [r.id, r.owner_id]))).toEqual({ [first]: eli.body.id, [other]: null, [second]: eli.body.id });

    // Closing the finished dialog clears the selection; Escape leaves select mode and the menus return.
    await page.locator('.p-dialog-footer').getByRole('button', { name: 'Close', exact: true }).click();
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toContain('No leads selected');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId(`card-menu-${first}`).count()).toBe(1);

    // Shift-click selects the range within the column, in the order the column shows; Clear empties it.
    await page.getByTestId('select-toggle').click();
    const order = await page.getByTestId(`card-${first}`).locator('xpath=..').evaluate((el) => [...el.querySelectorAll('[data-lead-id]')].map((c) => c.getAttribute('data-lead-id') as string));
    const at = ids.map((id) => order.indexOf(id)).sort((a, b) => a - b);
    expect(at[0]).toBeGreaterThanOrEqual(0);
    await page.getByTestId(`card-select-${order[at[0]]}`).click();
    await page.getByTestId(`card-select-${order[at[2]]}`).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toContain(`${at[2] - at[0] + 1} selected`);
    for (const id of order.slice(at[0], at[2] + 1)) expect(await page.getByTestId(`card-select-${id}`).getAttribute('aria-checked')).toBe('true');
    await page.getByTestId('clear-selection').click();
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toContain('No leads selected');
  });
});
