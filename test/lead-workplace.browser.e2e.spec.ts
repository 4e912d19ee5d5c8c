import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted, LeadDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(process.cwd(), '.tmp', 'screens');

/** The lead page as a workplace: stage steps, won/lost/reopen, owner, a call with notes, Undo, on a desktop and a phone. */
describe('the lead page as a workplace', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;
  let rep: { id: string; email: string };
  let other: { id: string };
  const password = 'a-long-password-1';

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    fs.mkdirSync(SHOTS, { recursive: true });
    s = await startTestStack({ web: true, repVisibility: 'all' });
    admin = await s.login('admin@test.local', s.adminPassword);
    const mk = async (name: string, role: string) => {
      const email = `${name.toLowerCase().replace(/ /g, '.')}@test.local`;
      const res = await s.api<CommandAccepted>('POST', '/api/users', admin, { email, name, role, password });
      expect(res.status).toBe(201);
      return { id: res.body.id, email };
    };
    rep = await mk('Rita Rep', 'rep');
    other = await mk('Otto Rep', 'rep');
    await mk('Ana Analyst', 'analyst');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const newLead = async (body: Record<string, unknown>) => {
    const res = await s.api<CommandAccepted>('POST', '/api/leads', admin, body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const leadNow = async (id: string, cp?: string) => (await s.api<LeadDto>('GET', `/api/leads/${id}${cp ? `?minCheckpoint=${cp}` : ''}`, admin)).body;

  async function openLead(email: string, pw: string, leadId: string, width = 1280, height = 800): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width, height }, locale: 'en-US' })).newPage();
    await page.goto(s.url + '/login');
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(pw);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
    await page.goto(`${s.url}/leads/${leadId}`);
    await page.getByTestId('lead-controls').waitFor({ timeout: 15_000 });
    return page;
  }
  const stageText = (page: Page) => page.getByTestId('lead-stage').textContent();
  const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it.each([[1280, 800], [390, 844]])('at %i px: moves, wins, reopens and loses a lead from its page, each with a toast and an Undo that reverts it', async (width, height) => {
    const lead = await newLead({ firstName: 'Petra', lastName: `Steps${width}`, company: 'Stepwise' });
    const created = await leadNow(lead.id, lead.checkpoint);
    const page = await openLead('admin@test.local', s.adminPassword, lead.id, width, height);
    expect(await stageText(page)).toContain('New');

    await page.getByTestId('step-Qualified').click();
    await expect.poll(() => stageText(page), { timeout: 10_000 }).toContain('Qualified');
    await page.getByTestId('undo-toast').waitFor();
    expect(await page.getByTestId('undo-toast').textContent()).toContain('Moved to Qualified');
    await page.getByTestId('undo').click();
    await expect.poll(() => stageText(page), { timeout: 10_000 }).toContain('New');
    // On the server too: moved and moved back, two more versions, in the stage it started in.
    await expect.poll(async () => (await leadNow(lead.id)).version, { timeout: 10_000 }).toBe(created.version + 2);
    expect((await leadNow(lead.id)).stageId).toBe(created.stageId);

    await page.getByTestId('step-Won').click();
    await expect.poll(() => page.getByTestId('lead-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('won');
    // A won lead offers Reopen, and its won/lost steps wait for it.
    expect(await page.getByTestId('step-Lost').isDisabled()).toBe(true);
    await page.getByTestId('lead-reopen').click();
    await expect.poll(() => page.getByTestId('lead-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('open');

    await page.getByTestId('step-Lost').click();
    await page.getByTestId('lost-reason-option-0').click();
    await page.getByTestId('lost-reason-confirm').click();
    await expect.poll(() => page.getByTestId('lead-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('lost');
    await page.getByTestId('undo').last().click();
    await expect.poll(() => page.getByTestId('lead-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('open');
    const after = await leadNow(lead.id);
    expect(after.lostReason).toBeNull();
    expect(await noOverflow(page)).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, `${width}-lead-workplace-stages.png`) });

    // The board agrees: a step to Proposal puts the card in Proposal's column.
    await page.getByTestId('step-Proposal').click();
    await expect.poll(() => stageText(page), { timeout: 10_000 }).toContain('Proposal');
    await page.goto(s.url + '/');
    const card = page.getByTestId(`card-${lead.id}`);
    await card.waitFor({ state: 'attached', timeout: 15_000 });
    expect(await card.evaluate((el) => el.closest('[data-stage-name]')?.getAttribute('data-stage-name'))).toBe('Proposal');
    await page.context().close();
  });

  it('changes the owner with the picker and Undo gives the lead back', async () => {
    const lead = await newLead({ company: 'Owner Swap' });
    const page = await openLead('admin@test.local', s.adminPassword, lead.id);
    await page.getByTestId('lead-owner').selectOption({ label: 'Rita Rep' });
    await expect.poll(async () => (await leadNow(lead.id)).ownerId, { timeout: 10_000 }).toBe(rep.id);
    await expect.poll(() => page.getByTestId('lead-header').textContent(), { timeout: 10_000 }).toContain('Rita Rep');
    await page.getByTestId('undo').click();
    await expect.poll(async () => (await leadNow(lead.id)).ownerId, { timeout: 10_000 }).toBeNull();
    await page.context().close();
  });

  it('logs a call with notes and duration, offers a follow-up, and shows changed values as the UI formats them', async () => {
    const lead = await newLead({ company: 'Chatty Co' });
    const patched = await s.api<CommandAccepted>('PATCH', `/api/leads/${lead.id}`, admin, { dealValue: 45000 }, { 'If-Match': `"${lead.version}"` });
    expect(patched.status).toBe(200);
    const page = await openLead('admin@test.local', s.adminPassword, lead.id);
    await expect.poll(() => page.getByTestId('timeline').textContent(), { timeout: 10_000 }).toContain('$45,000');
    expect(await page.getByTestId('timeline').textContent()).not.toContain('→ 45000');

    await page.getByTestId('quick-call').click();
    await page.getByTestId('quick-call-details').click();
    await page.getByTestId('activity-subject').fill('Discovery call');
    await page.getByTestId('activity-description').fill('Wants a pilot for 12 seats; call back after their board meeting.');
    await page.getByTestId('activity-outcome').selectOption({ index: 1 });
    await page.getByTestId('activity-duration').fill('25');
    await page.getByTestId('activity-save').click();
    await expect.poll(() => page.getByTestId('timeline').textContent(), { timeout: 10_000 }).toContain('Wants a pilot for 12 seats');
    await page.getByTestId('follow-up').waitFor();
    await page.getByTestId('follow-up-task').click();
    await page.getByTestId('activity-form').waitFor();
    expect(await page.getByTestId('activity-type').inputValue()).toBe('task');
    await page.context().close();
  });

  it('at 390 px logs a call with one thumb: notes, a duration, the outcome tap; then a follow-up tomorrow', async () => {
    const lead = await newLead({ company: 'Thumb Co', firstName: 'Tess' });
    const page = await openLead('admin@test.local', s.adminPassword, lead.id, 390, 844);
    const long = 'Wants-a-pilot-for-twelve-seats-and-a-call-back-after-their-board-meeting-next-Thursday-morning';
    await page.getByTestId('quick-call').click();
    const sheet = await page.getByTestId('call-sheet').boundingBox();
    expect(sheet!.x).toBeGreaterThanOrEqual(0);
    expect(sheet!.x + sheet!.width).toBeLessThanOrEqual(390);
    await page.getByTestId('call-notes').fill(long);
    await page.getByTestId('call-duration-15').click();
    await page.screenshot({ path: path.join(SHOTS, '390-lead-workplace-call-sheet.png') });
    await page.getByTestId('quick-call-follow_up_required').click();
    const top = page.getByTestId('timeline').locator('li[data-kind="call"]').first();
    await expect.poll(() => top.getByTestId('entry-summary').textContent(), { timeout: 10_000 }).toBe('Call: Call with Tess (follow up required, 15 min)');
    expect(await top.getByTestId('entry-notes').textContent()).toBe(long);
    expect(await top.getByTestId('entry-time').textContent()).toBe('just now');
    expect(await noOverflow(page)).toBe(true);
    await page.getByTestId('follow-up').waitFor();
    await page.screenshot({ path: path.join(SHOTS, '390-lead-workplace-call.png') });
    await page.getByTestId('follow-up-1').click();
    await expect.poll(() => page.getByTestId('timeline').locator('li[data-kind="task"]').first().getByTestId('entry-summary').textContent(), { timeout: 10_000 }).toBe('Task: Follow up with Tess (open)');
    expect(await page.getByTestId('follow-up').count()).toBe(0);
    await page.context().close();
  });

  it('on a phone: a rep changes only what is theirs, the logging bar is at hand, nothing is wider than the screen', async () => {
    const free = await newLead({ company: 'Nobody Owns' });
    const taken = await newLead({ company: 'Otto Owns', ownerId: other.id });
    const page = await openLead(rep.email, password, free.id, 390, 844);
    const choices = await page.getByTestId('lead-owner').locator('option').allTextContents();
    expect(choices).toEqual(['Unassigned', 'Rita Rep']);
    expect(await page.getByTestId('step-Qualified').isDisabled()).toBe(false);
    expect(await page.getByTestId('quick-call').isVisible()).toBe(true);
    const bar = await page.locator('.quick-actions').boundingBox();
    expect(bar!.y + bar!.height).toBeGreaterThan(800);
    expect(await noOverflow(page)).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, '390-lead-workplace.png') });

    await page.goto(`${s.url}/leads/${taken.id}`);
    await page.getByTestId('lead-controls').waitFor();
    expect(await page.getByTestId('step-Qualified').isDisabled()).toBe(true);
    expect(await page.getByTestId('lead-owner').count()).toBe(0);
    expect(await page.getByTestId('lead-controls').textContent()).toContain('Owned by Otto Rep');
    expect(await noOverflow(page)).toBe(true);
    await page.context().close();
  });

  it('an analyst sees the stages but no control that would be refused', async () => {
    const lead = await newLead({ company: 'Look Only' });
    const page = await openLead('ana.analyst@test.local', password, lead.id);
    expect(await page.getByTestId('step-Qualified').isDisabled()).toBe(true);
    expect(await page.getByTestId('lead-owner').count()).toBe(0);
    expect(await page.getByTestId('quick-call').count()).toBe(0);
    expect(await page.getByTestId('lead-controls').textContent()).toContain('Read-only access');
    await page.context().close();
  });
});
