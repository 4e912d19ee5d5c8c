import { afterEach, describe, expect, it, vi } from 'vitest';
import { useApi } from './useApi.ts';

/** The server's answers in order: each says whether it was stale (X-Stale). */
function serve(answers: { stale: boolean; body: unknown }[]) {
  const calls: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    calls.push(url);
    const next = answers.shift() ?? { stale: false, body: null };
    return new Response(JSON.stringify(next.body), { status: 200, headers: { 'content-type': 'application/json', 'x-stale': String(next.stale) } });
  });
  return calls;
}

describe('reads after one\'s own write', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('asks again while a read that waited for minCheckpoint answers stale, then returns the fresh answer', async () => {
    const calls = serve([{ stale: true, body: ['old'] }, { stale: true, body: ['old'] }, { stale: false, body: ['old', 'new'] }]);
    expect(await useApi().get('/api/teams', { query: { minCheckpoint: 'c1' } })).toEqual(['old', 'new']);
    expect(calls).toHaveLength(3);
  });

  it('gives up after four more tries and returns what the server has', async () => {
    const calls = serve(Array.from({ length: 9 }, () => ({ stale: true, body: ['old'] })));
    expect(await useApi().get('/api/teams', { query: { minCheckpoint: 'c1' } })).toEqual(['old']);
    expect(calls).toHaveLength(5);
  });

  it('does not repeat a read that did not ask for a checkpoint', async () => {
    const calls = serve([{ stale: true, body: ['any'] }]);
    expect(await useApi().get('/api/teams', { query: { minCheckpoint: undefined } })).toEqual(['any']);
    expect(calls).toHaveLength(1);
  });
});
