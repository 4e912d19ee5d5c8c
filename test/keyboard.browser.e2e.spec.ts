import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted, StageDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The keyboard model (docs/web.md): a skip link, arrows between cards and columns, focus kept after a move, `?` lists it all. */
describe('keyboard', () => {
  let s: TestStack;
  let browser: Browser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    const admin = await s.login('admin@test.local', s.adminPassword);
    const stages = (await s.api<StageDto[]>('GET', '/api/pipeline/stages', admin)).body;
    const [first, second] = stages.filter((st) => !st.isWon && !st.isLost);
    let last = '';
    // Three cards in the first column, one in the second.
    for (const [name, stageId] of [['A1', first.id], ['A2', first.id], ['A3', first.id], ['B1', second.id]] as const) {
      const res = await s.api<CommandAccepted>('POST', '/api/leads', admin, { company: `Key ${name}`, stageId });
      ids[name] = res.body.id;
      last = res.body.checkpoint;
    }
    expect((await s.api('GET', `/api/pipeline/board?minCheckpoint=${last}`, admin)).status).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const focused = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.leadId ?? document.activeElement?.className ?? null);

  it('skips the navigation, walks the cards with arrows, keeps the focus on a card moved from its menu, and lists the keys under ?', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(s.url + '/login');
    await page.getByTestId('login-email').fill('admin@test.local');
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(s.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`card-${ids.B1}`).waitFor({ timeout: 15_000 });

    // A fresh page: the first Tab lands on the skip link.
    await page.reload();
    await page.getByTestId(`card-${ids.B1}`).waitFor({ timeout: 15_000 });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    // The first column's cards in the order shown (A1..A3 in some order).
    const shown = await page.evaluate(() => Array.from(document.querySelectorAll('.board .column')[0].querySelectorAll<HTMLElement>('[data-lead-id]')).map((e) => e.dataset.leadId!));
    expect([...shown].sort()).toEqual([ids.A1, ids.A2, ids.A3].sort());
    await page.getByTestId(`card-${shown[0]}`).focus();
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe(shown[1]);
    await page.keyboard.press('End');
    expect(await focused(page)).toBe(shown[2]);
    await page.keyboard.press('ArrowUp');
    expect(await focused(page)).toBe(shown[1]);
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toBe(ids.B1);
    await page.keyboard.press('ArrowLeft');
    expect(await focused(page)).toBe(shown[0]);

    // Move A1 with its menu: the focus follows it into the second column.
    await page.getByTestId(`card-menu-${ids.A1}`).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="card-menu"] li', { hasText: 'Move to…' }).first().waitFor();
    const target = page.locator('[data-testid="card-menu"] [role="menuitem"]').nth(1);
    const targetName = (await target.textContent())!.trim();
    await target.click();
    const columnOf = (id: string) => page.evaluate((leadId) => Array.from(document.querySelectorAll('.board .column')).findIndex((c) => !!c.querySelector(`[data-lead-id="${leadId}"]`)), id);
    const targetColumn = await page.evaluate((name) => Array.from(document.querySelectorAll('.board .column')).findIndex((c) => c.getAttribute('data-stage-name') === name), targetName);
    expect(targetColumn).toBeGreaterThan(0);
    await expect.poll(() => columnOf(ids.A1), { timeout: 10_000 }).toBe(targetColumn);
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe(ids.A1);

    // The move says so, with an Undo that puts the card back.
    expect(await page.getByTestId('undo-toast').textContent()).toContain(`moved to ${targetName}`);
    await page.getByTestId('undo').click();
    await expect.poll(() => columnOf(ids.A1), { timeout: 10_000 }).toBe(0);

    await page.locator('body').press('?');
    await page.getByTestId('keyboard-help').waitFor();
    expect(await page.getByTestId('keyboard-help').textContent()).toContain('Move between cards and columns');
    await page.keyboard.press('Escape');
    await page.getByTestId('keyboard-help').waitFor({ state: 'detached' });
    await page.context().close();
  });
});
