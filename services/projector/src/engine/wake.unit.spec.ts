import { describe, expect, it } from 'vitest';
import { Waker } from './wake.ts';

describe('Waker', () => {
  const never = new AbortController().signal;

  it('does not lose a wake-up that arrives between taking the ticket and waiting', async () => {
    const waker = new Waker();
    const ticket = waker.ticket();
    waker.wake('store');
    expect(await waker.wait(ticket, 10_000, never)).toBe('store');
  });

  it('tells a peer wake-up from a store wake-up, and times out when nothing happens', async () => {
    const waker = new Waker();
    const waiting = waker.wait(waker.ticket(), 10_000, never);
    waker.wake('peer');
    expect(await waiting).toBe('peer');
    expect(await waker.wait(waker.ticket(), 5, never)).toBe('timeout');
  });

  it('returns at once when aborted', async () => {
    const waker = new Waker();
    const abort = new AbortController();
    const waiting = waker.wait(waker.ticket(), 10_000, abort.signal);
    abort.abort();
    expect(await waiting).toBe('timeout');
  });
});
