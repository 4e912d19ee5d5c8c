import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(process.cwd(), '.tmp');
const HOSTILE = '<img src=x onerror="window.__pwned=1">Eve';

/** The Users page (admins) and the Account page (everyone), on a desktop and on a 390 px phone. */
describe('Users and Account pages in a real browser', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;
  let n = 0;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    admin = await s.login('admin@test.local', s.adminPassword);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const newUser = async (name: string, password = 'a-long-password-1') => {
    const email = `u${++n}.${Date.now()}@test.local`;
    const res = await s.api<CommandAccepted>('POST', '/api/users', admin, { email, name, role: 'rep', password });
    expect(res.status).toBe(201);
    return { id: res.body.id, email, password };
  };

  async function signedIn(email: string, password: string, width = 1400): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(s.url + '/');
    await page.getByTestId('login-email').fill(email);
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor({ timeout: 15_000 });
    return page;
  }
  const noHorizontalOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth);
  const onLoginPage = (page: Page) => page.getByTestId('login-submit').waitFor({ timeout: 10_000 });

  it('lets an admin change a role and disable a user; the user is sent to the sign-in page at once', async () => {
    const rita = await newUser('Rita Rep');
    const eve = await newUser(HOSTILE);
    const ritaPage = await signedIn(rita.email, rita.password);
    const adminPage = await signedIn('admin@test.local', s.adminPassword);
    await adminPage.getByTestId('nav-users').click();
    await adminPage.getByTestId(`user-${rita.id}`).waitFor();

    const eveRow = adminPage.getByTestId(`user-${eve.id}`);
    expect(await eveRow.textContent()).toContain(HOSTILE);
    expect(await eveRow.locator('img').count()).toBe(0);
    expect(await adminPage.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    await adminPage.getByTestId(`user-edit-${rita.id}`).click();
    await adminPage.getByTestId('user-role').selectOption('manager');
    await adminPage.getByTestId('user-name').fill('Rita Manager');
    await adminPage.getByTestId('user-save').click();
    await expect.poll(() => adminPage.getByTestId(`user-role-${rita.id}`).textContent(), { timeout: 10_000 }).toBe('Manager');
    await expect.poll(() => ritaPage.getByTestId('current-user').textContent(), { timeout: 10_000 }).toContain('Manager');

    await adminPage.getByTestId(`user-disable-${rita.id}`).click();
    await expect.poll(() => adminPage.getByTestId(`user-status-${rita.id}`).textContent(), { timeout: 10_000 }).toBe('Disabled');
    await onLoginPage(ritaPage);
    await adminPage.getByTestId(`user-enable-${rita.id}`).click();
    await expect.poll(() => adminPage.getByTestId(`user-status-${rita.id}`).textContent(), { timeout: 10_000 }).toBe('Active');
    expect(await adminPage.getByTestId(`user-disable-${(await s.api<{ id: string }>('GET', '/api/auth/me', admin)).body.id}`).count()).toBe(0);
    await ritaPage.context().close();
    await adminPage.context().close();
  });

  it('a temporary password set by an admin must be changed first, on the Account page', async () => {
    const sam = await newUser('Sam Rep');
    const adminPage = await signedIn('admin@test.local', s.adminPassword);
    await adminPage.goto(`${s.url}/users`);
    await adminPage.getByTestId(`user-reset-${sam.id}`).click();
    await adminPage.getByTestId('user-password').fill('short');
    await adminPage.getByTestId('user-save').click();
    expect(await adminPage.getByTestId('user-form').locator('.text-error').textContent()).toContain('10');
    await adminPage.getByTestId('user-password').fill('temporary-password-9');
    await adminPage.getByTestId('user-save').click();
    await adminPage.getByTestId('user-form').waitFor({ state: 'detached', timeout: 10_000 });
    await adminPage.context().close();

    const samPage = await signedIn(sam.email, 'temporary-password-9');
    await samPage.getByTestId('must-change-password').waitFor();
    expect(new URL(samPage.url()).pathname).toBe('/account');
    // A reload (or a deep link) does not get round it: the server says so on every page load.
    await samPage.goto(`${s.url}/activities`);
    await samPage.getByTestId('must-change-password').waitFor();
    expect(new URL(samPage.url()).pathname).toBe('/account');
    await samPage.locator('[data-testid="current-password"]').fill('temporary-password-9');
    await samPage.locator('[data-testid="new-password"]').fill('sams-own-password-1');
    await samPage.locator('[data-testid="confirm-password"]').fill('something else');
    await samPage.getByTestId('change-password').click();
    expect(await samPage.getByTestId('password-form').locator('.text-error').textContent()).toContain('does not match');
    await samPage.locator('[data-testid="confirm-password"]').fill('sams-own-password-1');
    await samPage.getByTestId('change-password').click();
    await samPage.getByTestId('must-change-password').waitFor({ state: 'detached', timeout: 10_000 });
    await samPage.goto(`${s.url}/activities`);
    expect(new URL(samPage.url()).pathname).toBe('/activities');
    await samPage.context().close();
  });

  it('lists your sessions, signs out another one, then every other one', async () => {
    const tom = await newUser('Tom Rep');
    const laptop = await signedIn(tom.email, tom.password);
    const phone = await signedIn(tom.email, tom.password, 390);
    const tablet = await signedIn(tom.email, tom.password, 800);
    await laptop.getByTestId('current-user').click();
    await laptop.getByTestId('account-page').waitFor();
    await expect.poll(() => laptop.getByTestId('session-list').locator('li').count(), { timeout: 10_000 }).toBe(3);
    expect(await laptop.getByTestId('session-current').count()).toBe(1);

    const sessions = (await s.pool.query<{ id: string }>('SELECT id FROM cmd.sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at', [tom.id])).rows;
    await laptop.getByTestId(`sign-out-${sessions[1].id}`).click();
    await expect.poll(() => laptop.getByTestId('session-list').locator('li').count(), { timeout: 10_000 }).toBe(2);
    await onLoginPage(phone);

    await laptop.getByTestId('sign-out-others').click();
    await expect.poll(() => laptop.getByTestId('session-list').locator('li').count(), { timeout: 10_000 }).toBe(1);
    await onLoginPage(tablet);
    await laptop.getByTestId(`sign-out-${sessions[0].id}`).click();
    await onLoginPage(laptop);
    for (const p of [laptop, phone, tablet]) await p.context().close();
  });

  it('changes your own name and time zone on the Account page; the zone is kept across reloads and a blank name is refused', async () => {
    const tia = await newUser('Tia Zone');
    const page = await signedIn(tia.email, tia.password);
    await page.getByTestId('current-user').click();
    await page.getByTestId('profile-form').waitFor();
    await page.getByTestId('profile-name').fill('Tia Kolkata');
    await page.getByTestId('profile-zone').selectOption('Asia/Kolkata');
    await expect.poll(() => page.getByTestId('profile-zone-now').textContent()).toMatch(/GMT\+5:30|IST/);
    await page.getByTestId('profile-save').click();
    await expect.poll(() => page.getByTestId('current-user').textContent(), { timeout: 10_000 }).toContain('Tia Kolkata');
    await expect.poll(async () => (await s.api<{ timeZone: string | null; name: string }>('GET', '/api/auth/me', await s.login(tia.email, tia.password))).body, { timeout: 10_000 }).toMatchObject({ name: 'Tia Kolkata', timeZone: 'Asia/Kolkata' });
    await page.reload();
    await expect.poll(() => page.getByTestId('profile-zone').inputValue(), { timeout: 10_000 }).toBe('Asia/Kolkata');
    await page.getByTestId('profile-name').fill('   ');
    await page.getByTestId('profile-save').click();
    await expect.poll(() => page.getByTestId('profile-form').textContent()).toContain('Give it a name');
    await page.context().close();
  });

  it('fits a 390 px phone: Account and Users pages, and the edit dialog, without horizontal scrolling', async () => {
    await newUser('A user with a rather long name to wrap on a small screen');
    const phone = await signedIn('admin@test.local', s.adminPassword, 390);
    await phone.getByTestId('current-user').click();
    await phone.getByTestId('account-page').waitFor();
    await expect.poll(() => phone.getByTestId('session-list').locator('li').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await noHorizontalOverflow(phone)).toBe(true);
    await phone.screenshot({ path: path.join(SHOTS, 'account-phone-390.png'), fullPage: true });

    await phone.getByTestId('account-users-link').click();
    await phone.getByTestId('users-table').waitFor();
    await expect.poll(() => phone.getByTestId('users-table').locator('tbody tr').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    expect(await noHorizontalOverflow(phone)).toBe(true);
    const firstEdit = phone.locator('[data-testid^="user-edit-"]').first();
    await firstEdit.click();
    await phone.getByTestId('user-form').waitFor();
    expect(await noHorizontalOverflow(phone)).toBe(true);
    const box = await phone.locator('.users-dialog').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await phone.screenshot({ path: path.join(SHOTS, 'users-phone-390.png'), fullPage: true });
    await phone.context().close();
  });
});
