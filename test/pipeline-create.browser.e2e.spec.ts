import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted, PipelineDto } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A second pipeline from the board: a message a person understands for a missing name, then the new board. */
describe('creating a pipeline in the web app', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    admin = await s.login('admin@test.local', s.adminPassword);
    expect((await s.api<CommandAccepted>('POST', '/api/users', admin, { email: 'rex@test.local', name: 'Rex Rep', role: 'rep', password: 'a-long-password-1' })).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function signIn(email: string, password: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(s.url + '/login');
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('pipeline-switcher').waitFor({ timeout: 15_000 });
    return page;
  }

  it('an admin names a new pipeline (a blank name is refused in words) and lands on its board', async () => {
    const page = await signIn('admin@test.local', s.adminPassword);
    await page.getByTestId('new-pipeline').click();
    await page.getByTestId('new-pipeline-create').click();
    expect(await page.getByTestId('new-pipeline-error').textContent()).toBe('Give it a name');
    await page.getByTestId('new-pipeline-name').fill('Partnerships');
    await page.getByTestId('new-pipeline-create').click();
    await expect.poll(() => page.getByTestId('pipeline-switcher').textContent(), { timeout: 10_000 }).toContain('Partnerships');
    await expect.poll(() => page.locator('.board .column').count(), { timeout: 10_000 }).toBe(6);
    const pipelines = (await s.api<PipelineDto[]>('GET', '/api/pipelines', admin)).body;
    expect(pipelines.map((p) => p.name)).toContain('Partnerships');
    expect(new URL(page.url()).searchParams.get('pipeline')).toBe(pipelines.find((p) => p.name === 'Partnerships')!.id);
    await page.context().close();
  });

  it('a rep is not offered it', async () => {
    const page = await signIn('rex@test.local', 'a-long-password-1');
    expect(await page.getByTestId('new-pipeline').count()).toBe(0);
    expect(await page.getByTestId('manage-stages').count()).toBe(0);
    await page.context().close();
  });
});
