import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.dirname(fileURLToPath(import.meta.url));
const sources = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(vue|ts)$/.test(e.name) && !e.name.endsWith('.spec.ts') ? [p] : [];
  });
const offending = (pattern: RegExp) =>
  sources(root).flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (pattern.test(line) ? [`${path.relative(root, file)}:${i + 1}: ${line.trim()}`] : [])));

/** The browser test (test/xss.browser.e2e.spec.ts) proves it for seeded names; this keeps the ways in shut. */
describe('data is text in the web app', () => {
  it('parses no HTML from strings: no v-html, innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
    expect(offending(/v-html|\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|createContextualFragment/)).toEqual([]);
  });

  it('builds every chart tooltip with lib/chartText.ts (ECharts puts a string formatter into innerHTML)', () => {
    expect(offending(/tooltip:.*formatter:(?!.*(axisTooltip|tooltipNode)\()/)).toEqual([]);
  });
});
