import { describe, expect, it } from 'vitest';
import { isStaleChunkError, shouldReloadFor } from './staleBuild.ts';

describe('isStaleChunkError', () => {
  it.each([
    ['Failed to fetch dynamically imported module: http://localhost/assets/BoardPage-B4uyLKUV.js', true],
    ['error loading dynamically imported module: http://localhost/assets/BoardPage-B4uyLKUV.js', true],
    ['Importing a module script failed.', true],
    ['Unable to preload CSS for /assets/BoardPage-Cx1.css', true],
    ['Cannot read properties of undefined', false],
  ])('%s → %s', (message, stale) => {
    expect(isStaleChunkError(new TypeError(message))).toBe(stale);
  });
});

describe('shouldReloadFor', () => {
  it('reloads the first time, for another page, and again after a while', () => {
    expect(shouldReloadFor(null, '/', 1_000)).toBe(true);
    expect(shouldReloadFor({ path: '/', at: 1_000 }, '/leads/1', 2_000)).toBe(true);
    expect(shouldReloadFor({ path: '/', at: 1_000 }, '/', 11_000)).toBe(true);
  });

  it('does not reload the same page twice in a row: the build itself is broken', () => {
    expect(shouldReloadFor({ path: '/', at: 1_000 }, '/', 2_000)).toBe(false);
  });
});
