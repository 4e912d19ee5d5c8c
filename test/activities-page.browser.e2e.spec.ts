import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A manager maintains activity templates; a rep reads them; the Activities page follows changes live and reports bulk actions item by item. */
describe('activity templates and the Activities page in a real browser', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;
  let leadId: string;
  let otherLeadId: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    // Reps see every lead (REP_VISIBILITY=all) but change only their own and unassigned ones.
    s = await startTestStack({ web: true, repVisibility: 'all' });
    admin = await s.login('admin@test.local', s.adminPassword);
    const rep = await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'rita@test.local', name: 'Rita Rep', role: 'rep', password: 'rita-password-1' });
    const manager = await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'mona@test.local', name: 'Mona Manager', role: 'manager', password: 'mona-password-1' });
    leadId = (await s.api<CommandAccepted>('POST', '/api/leads', admin, { company: 'Rita Co', ownerId: rep.body.id })).body.id;
    otherLeadId = (await s.api<CommandAccepted>('POST', '/api/leads', admin, { company: 'Somebody Else Ltd', ownerId: manager.body.id })).body.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function signedIn(email: string, password: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(s.url + '/');
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
    return page;
  }

  it('lets a manager create, edit and delete templates, and shows them read-only to a rep', async () => {
    const mona = await signedIn('mona@test.local', 'mona-password-1');
    await mona.goto(`${s.url}/activity-templates`);
    await mona.getByTestId('template-new').click();
    await mona.getByTestId('template-save').click();
    expect(await mona.locator('.field-error').first().textContent()).toBeTruthy();
    await mona.getByTestId('template-name').fill('Discovery call');
    await mona.getByTestId('template-subject').fill('Discovery call');
    await mona.getByTestId('template-minutes').fill('30');
    await mona.getByTestId('template-save').click();
    await expect.poll(() => mona.getByTestId('template-table').locator('tbody tr').count(), { timeout: 10_000 }).toBe(1);
    const [template] = (await s.api<{ id: string; subject: string; durationMinutes: number }[]>('GET', '/api/activity-templates', admin)).body;
    expect(template).toMatchObject({ subject: 'Discovery call', durationMinutes: 30 });

    await mona.getByTestId(`template-edit-${template.id}`).click();
    await mona.getByTestId('template-subject').fill('Discovery call: needs and budget');
    await mona.getByTestId('template-save').click();
    await expect.poll(() => mona.getByTestId(`template-${template.id}`).textContent(), { timeout: 10_000 }).toContain('needs and budget');

    await mona.getByTestId('template-new').click();
    await mona.getByTestId('template-name').fill('Proposal sent');
    await mona.getByTestId('template-type').selectOption('email');
    await mona.getByTestId('template-subject').fill('Proposal sent');
    await mona.getByTestId('template-save').click();
    await expect.poll(() => mona.getByTestId('template-table').locator('tbody tr').count(), { timeout: 10_000 }).toBe(2);
    const proposal = (await s.api<{ id: string; name: string }[]>('GET', '/api/activity-templates', admin)).body.find((t) => t.name === 'Proposal sent')!;
    await mona.getByTestId(`template-delete-${proposal.id}`).click();
    await expect.poll(() => mona.getByTestId('template-table').locator('tbody tr').count(), { timeout: 10_000 }).toBe(1);
    await mona.context().close();

    const rita = await signedIn('rita@test.local', 'rita-password-1');
    await rita.goto(`${s.url}/activity-templates`);
    await rita.getByTestId('templates-read-only').waitFor();
    await expect.poll(() => rita.getByTestId(`template-${template.id}`).count(), { timeout: 10_000 }).toBe(1);
    expect(await rita.getByTestId('template-new').count()).toBe(0);
    expect(await rita.getByTestId(`template-edit-${template.id}`).count()).toBe(0);
    await rita.context().close();
  });

  it('shows a colleague\'s activity live and reports a bulk complete item by item', async () => {
    const rita = await signedIn('rita@test.local', 'rita-password-1');
    await rita.getByTestId('nav-activities').click();
    await expect.poll(() => rita.getByTestId('live-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
    await rita.getByTestId('activity-table').waitFor();

    const mine = await s.api<CommandAccepted>('POST', '/api/activities', admin, { type: 'task', leadId, subject: 'Send the contract' });
    const theirs = await s.api<CommandAccepted>('POST', '/api/activities', admin, { type: 'task', leadId: otherLeadId, subject: 'Check the references' });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    await rita.getByTestId(`activity-${mine.body.id}`).waitFor({ timeout: 10_000 });
    await rita.getByTestId(`activity-${theirs.body.id}`).waitFor({ timeout: 10_000 });

    // Rita may complete the task on her lead, not the one on Mona's: one applied, one refused, each reported.
    await rita.getByTestId('select-all').check();
    await rita.getByTestId('bulk-complete').click();
    await rita.getByTestId('bulk-results').waitFor({ timeout: 15_000 });
    expect(await rita.getByTestId(`bulk-result-${mine.body.id}`).getAttribute('data-ok')).toBe('true');
    expect(await rita.getByTestId(`bulk-result-${theirs.body.id}`).getAttribute('data-ok')).toBe('false');
    expect(await rita.getByTestId(`bulk-result-${theirs.body.id}`).textContent()).toMatch(/Check the references: .+/);
    await expect.poll(async () => (await s.api<{ items: { id: string; completedAt: string | null }[] }>('GET', `/api/leads/${leadId}/activities`, admin)).body, { timeout: 10_000 })
      .toMatchObject({ items: [{ id: mine.body.id, completedAt: expect.any(String) }] });
    // The refused one stays selected, to retry or leave.
    expect(await rita.getByTestId(`activity-${theirs.body.id}`).locator('input[type=checkbox]').isChecked()).toBe(true);
    await rita.context().close();
  });
});
