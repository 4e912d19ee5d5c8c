import fs from 'node:fs';
import path from 'node:path';
import type { PipelineOverview, RuleDto, SimulationResult, WorkloadRow } from '@leadline/contracts';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, seedHostileNames, type HostileSeed } from './support/hostile.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(process.cwd(), '.tmp');
/**
 * What the built app must run under, whatever the server sends: no inline script, no eval, no
 * style="" attribute. PrimeVue's styled mode injects <style> elements, hence style-src-elem 'unsafe-inline'.
 */
const STRICT_CSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; img-src 'self' data:; font-src 'self' data:; style-src 'self'; style-src-elem 'self' 'unsafe-inline'; connect-src 'self'";
const DAY = 86_400_000;

/** Hostile names everywhere the app shows one: nothing runs, nothing is injected, the text shows as typed. */
describe('data is text: hostile names in a real browser', () => {
  let s: TestStack;
  let browser: Browser;
  let admin: string;
  let seed: HostileSeed;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack({ web: true });
    admin = await s.login('admin@test.local', s.adminPassword);
    seed = await seedHostileNames(s, admin);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  /**
   * Signs the admin in. `csp: 'off'` strips the server's policy, so what stops a payload is the
   * app itself; `'strict'` adds STRICT_CSP to the server's (a browser enforces every policy it gets).
   */
  async function signedIn(csp: 'off' | 'strict', violations: string[] = []): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
    await context.route((url) => !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/assets/'), async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      const served = headers['content-security-policy'];
      if (csp === 'off') delete headers['content-security-policy'];
      else headers['content-security-policy'] = served ? `${served}, ${STRICT_CSP}` : STRICT_CSP;
      await route.fulfill({ response, headers });
    });
    await context.exposeBinding('__reportCsp', (_source, v: string) => void violations.push(v));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
      });
    });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.dismiss());
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
    });
    await page.goto(s.url + '/login');
    await page.getByTestId('login-email').fill('admin@test.local');
    await page.locator('input[data-testid="login-password"], [data-testid="login-password"] input').first().fill(s.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`card-${seed.leadId}`).waitFor({ timeout: 15_000 });
    return page;
  }

  /** Nothing ran, no element came from data, and each text shows as typed (case aside: small caps), once the page has it. */
  async function expectText(page: Page, where: string, texts: readonly string[]) {
    const check = () => page.evaluate((texts) => {
      const shown = document.body.innerText.toLowerCase();
      return {
        xss: (window as unknown as { __xss?: string }).__xss ?? null,
        injected: [...document.querySelectorAll('img[src="x"], img[onerror], svg[onload], script:not([src])')].map((e) => e.outerHTML),
        missing: texts.filter((t) => !shown.includes(t.toLowerCase())),
      };
    }, texts);
    await expect.poll(check, { message: where, timeout: 10_000 }).toEqual({ xss: null, injected: [], missing: [] });
  }

  /**
   * Sweeps the mouse along a line across a chart (x or y as a fraction of its box) until its tooltips
   * have shown every text, as text. Geometry-free: long names change where ECharts puts the grid.
   */
  async function tooltipsShow(page: Page, chart: Locator, along: { y: number } | { x: number }, texts: readonly string[]) {
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    const seen = new Set<string>();
    const sweep = async () => {
      for (let k = 0; k <= 40; k++) {
        const [fx, fy] = 'y' in along ? [k / 40, along.y] : [along.x, k / 40];
        await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
        seen.add(await chart.evaluate((el) => (el as HTMLElement).innerText));
      }
      const xss = await page.evaluate(() => (window as unknown as { __xss?: string }).__xss ?? null);
      return { xss, missing: texts.filter((t) => ![...seen].some((shown) => shown.includes(t))) };
    };
    await expect.poll(sweep, { timeout: 15_000, interval: 0 }).toEqual({ xss: null, missing: [] });
  }

  async function walkEveryPage(page: Page) {
    // Board: columns, cards, owners, the pipeline switcher's list, the stage manager.
    await expectText(page, 'board', [...HOSTILE.stages, HOSTILE.firstName, HOSTILE.lastName, HOSTILE.company, HOSTILE.otherCompany, HOSTILE.manager]);
    await page.getByTestId('pipeline-switcher').click();
    await expectText(page, 'pipeline switcher', [HOSTILE.pipeline]);
    await page.keyboard.press('Escape');
    await page.getByTestId('manage-stages').click();
    await page.getByTestId('stage-list').waitFor();
    await expectText(page, 'stage manager', [HOSTILE.lostReason]);
    await page.keyboard.press('Escape');

    // Lead page: header, lost reason, timeline (activity, stage moves, assignment by rule).
    await page.goto(`${s.url}/leads/${seed.leadId}`);
    await page.getByTestId('timeline').locator('li[data-kind]').first().waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('assignment-history').textContent(), { timeout: 10_000 }).toContain(HOSTILE.rule);
    await expectText(page, 'lead page', [HOSTILE.firstName, HOSTILE.lastName, HOSTILE.company, HOSTILE.stages[5], HOSTILE.stages[1], HOSTILE.lostReason, HOSTILE.subject, HOSTILE.description, HOSTILE.rule]);

    await page.goto(`${s.url}/activities`);
    await page.getByTestId('activity-table').locator('tbody tr').first().waitFor({ timeout: 10_000 });
    await expectText(page, 'activities', [HOSTILE.subject, HOSTILE.otherCompany]);

    await page.goto(`${s.url}/activity-templates`);
    await page.getByTestId('template-table').locator('tbody tr').first().waitFor({ timeout: 10_000 });
    await expectText(page, 'templates', [HOSTILE.template, HOSTILE.templateSubject]);

    // Analytics: every chart's tooltip on every category, the funnel's included.
    const overview = (await s.api<PipelineOverview>('GET', '/api/pipeline/overview', admin)).body;
    await page.goto(`${s.url}/analytics`);
    await page.getByTestId('overview-table').waitFor({ timeout: 10_000 });
    await expectText(page, 'analytics', HOSTILE.stages);
    const [valueChart, funnel, timeChart] = await page.locator('.analytics__chart').all();
    const names = overview.stages.map((st) => st.name);
    await tooltipsShow(page, valueChart, { y: 0.6 }, names);
    await tooltipsShow(page, funnel, { x: 0.28 }, names.slice(0, 5));
    await tooltipsShow(page, timeChart, { y: 0.6 }, names.slice(0, 4));
    await expectText(page, 'analytics after the tooltips', []);

    // Assignments: teams, rules, the workload chart and the what-if chart.
    const workload = (await s.api<{ items: WorkloadRow[] }>('GET', '/api/assignments/workload', admin)).body.items;
    await page.goto(`${s.url}/assignments`);
    await page.getByTestId('workload-table').waitFor({ timeout: 10_000 });
    await expectText(page, 'assignments', [HOSTILE.team, HOSTILE.rule, HOSTILE.rep, HOSTILE.rep2, HOSTILE.manager]);
    const workloadChart = page.getByTestId('workload-chart');
    await tooltipsShow(page, workloadChart, { y: 0.6 }, workload.map((row) => row.name));
    const rules = (await s.api<RuleDto[]>('GET', '/api/assignments/rules', admin)).body;
    const sim = await s.api<SimulationResult>('POST', '/api/assignments/rules/simulate', admin, {
      rules: rules.map((r) => ({ name: r.name, priority: r.priority, isActive: r.isActive, conditions: r.conditions, assignmentType: r.assignmentType, teamId: r.teamId })),
      from: new Date(Date.now() - 30 * DAY).toISOString(),
      to: new Date(Date.now() + DAY).toISOString(),
    });
    await page.getByTestId('simulate').click();
    const simChart = page.getByTestId('simulation-chart');
    await simChart.waitFor({ timeout: 10_000 });
    await tooltipsShow(page, simChart, { y: 0.6 }, sim.body.byUser.map((u) => u.name));
    await expectText(page, 'assignments after the tooltips', []);
  }

  it('runs nothing a user typed, injects no element and shows every name as typed, tooltips included', async () => {
    const page = await signedIn('off');
    await walkEveryPage(page);
    // A person looks at this one: the funnel tooltip over a hostile stage name.
    await page.goto(`${s.url}/analytics`);
    const funnel = page.locator('.analytics__chart').nth(1);
    await funnel.waitFor();
    await page.getByTestId('overview-table').waitFor({ timeout: 10_000 });
    // The chart may still be drawing when the pointer first arrives: hover again until the tooltip shows.
    const hover = async () => {
      const box = (await funnel.boundingBox())!;
      await page.mouse.move(box.x + 2, box.y + 2);
      await page.mouse.move(box.x + box.width * 0.28, box.y + 40, { steps: 4 });
      return funnel.innerText();
    };
    await expect.poll(hover, { timeout: 15_000 }).toContain(HOSTILE.stages[0]);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'xss-analytics-tooltip.png') });
    await page.context().close();
  });

  it('runs under a strict CSP (no inline script, no eval) without a single violation', async () => {
    const violations: string[] = [];
    const page = await signedIn('strict', violations);
    await walkEveryPage(page);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('refuses markup in an email address (so emails are not among the hostile names)', async () => {
    const res = await s.api('POST', '/api/leads', admin, { company: 'Mail Co', email: '<img src=x>@test.local' });
    expect(res.status).toBe(400);
  });
});
