import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandAccepted } from '@leadline/contracts';
import { startTestStack, type TestStack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * A page on another port of the same host is same-site: the browser sends the SameSite=Lax session
 * cookie with its form posts. Such a page must not be able to archive a pipeline for the user.
 */
describe('cross-site request forgery in a real browser', () => {
  let s: TestStack;
  let browser: Browser;
  let attacker: http.Server;
  let attackerUrl: string;
  let token: string;

  const archived = async (pipelineId: string) =>
    Number((await s.db.pool.query(`SELECT count(*) FROM es.events WHERE type = 'PipelineArchived' AND stream_id = $1`, [`pipeline-${pipelineId}`])).rows[0].count);

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    s = await startTestStack();
    token = await s.login('admin@test.local', s.adminPassword);
    attacker = http.createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '';
      res.writeHead(200, { 'content-type': 'text/html' });
      // A text/plain form with no fields: a body-less POST, the one write a page can make a browser send unasked.
      res.end(`<!doctype html><form method="POST" enctype="text/plain" action="${target}"></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => attacker?.close(r));
    await s?.close();
  });

  const newPipeline = async () => {
    const res = await s.api<CommandAccepted>('POST', '/api/pipelines', token, { name: `Target ${Math.random().toString(36).slice(2, 8)}` });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  it('refuses a same-site page posting a form with the session cookie, and lets the app itself do the same', async () => {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'leadline_session', value: token, url: s.url, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();

    const victim = await newPipeline();
    const archive = `${s.url}/api/pipelines/${victim}/archive`;
    const forged = page.waitForResponse((r) => r.url() === archive);
    await page.goto(`${attackerUrl}/?target=${encodeURIComponent(archive)}`);
    const answer = await forged;
    const sent = await answer.request().allHeaders();
    expect(sent.cookie).toContain('leadline_session=');
    expect(sent['sec-fetch-site']).toBe('same-site');
    expect(answer.status()).toBe(403);
    expect(await archived(victim)).toBe(0);

    // The web app's own fetch (same origin, the cookie, no body) still works.
    await page.goto(`${s.url}/api/alive`);
    const status = await page.evaluate((url) => fetch(url, { method: 'POST', credentials: 'same-origin' }).then((r) => r.status), archive);
    expect(status).toBe(200);
    expect(await archived(victim)).toBe(1);
    await context.close();
  });
});
