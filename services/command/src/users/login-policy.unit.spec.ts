import { describe, expect, it } from 'vitest';
import { decideAttempt, defaultThrottlePolicy, delayAfter, startsDelay, type AddressState, type PairState } from './login-policy.ts';

const policy = defaultThrottlePolicy;
const T0 = 1_800_000_000_000;
const fresh: PairState = { failures: 0, lastAttemptAt: 0 };
const quiet: AddressState = { failures: 0, windowStartedAt: 0 };

/** Fails `n` attempts as fast as the policy allows; answers the state and the time after the last. */
function failTimes(n: number, start = T0): { pair: PairState; address: AddressState; now: number } {
  let pair = fresh;
  let address = quiet;
  let now = start;
  for (let i = 0; i < n; i++) {
    now = Math.max(now, pair.lastAttemptAt + delayAfter(pair.failures, policy) * 1000);
    const d = decideAttempt(pair, address, now, policy);
    if (!d.allowed) throw new Error(`attempt ${i + 1} refused`);
    ({ pair, address } = d);
  }
  return { pair, address, now };
}

describe('login throttling policy', () => {
  it('lets five failures through at once, then doubles the wait, up to 15 minutes', () => {
    expect([0, 4, 5, 6, 7, 8, 13, 14, 30].map((n) => delayAfter(n, policy))).toEqual([0, 0, 2, 4, 8, 16, 512, 900, 900]);
    expect(startsDelay(5, policy)).toBe(true);
    expect(startsDelay(6, policy)).toBe(false);
  });

  it('refuses the sixth attempt from the same address until the wait is over, with Retry-After', () => {
    const { pair, address, now } = failTimes(5);
    expect(decideAttempt(pair, address, now + 500, policy)).toEqual({ allowed: false, retryAfterSeconds: 2, limit: 'account' });
    expect(decideAttempt(pair, address, now + 2000, policy)).toMatchObject({ allowed: true, pair: { failures: 6 } });
  });

  it('does not slow the owner signing in from another address (a pair of its own)', () => {
    const attacker = failTimes(14);
    expect(decideAttempt(attacker.pair, attacker.address, attacker.now, policy)).toMatchObject({ allowed: false, limit: 'account' });
    expect(decideAttempt(fresh, quiet, attacker.now, policy)).toMatchObject({ allowed: true });
  });

  it('forgets a pair that stayed quiet for an hour', () => {
    const { pair, address, now } = failTimes(8);
    expect(decideAttempt(pair, address, now + policy.forgetAfterSeconds * 1000, policy)).toMatchObject({ allowed: true, pair: { failures: 1 } });
  });

  it('limits failures per address across accounts in a window, then starts a new window', () => {
    const full: AddressState = { failures: policy.addressFailures, windowStartedAt: T0 };
    expect(decideAttempt(fresh, full, T0 + 60_000, policy)).toEqual({ allowed: false, retryAfterSeconds: policy.addressWindowSeconds - 60, limit: 'address' });
    expect(decideAttempt(fresh, full, T0 + policy.addressWindowSeconds * 1000, policy)).toMatchObject({ allowed: true, address: { failures: 1, windowStartedAt: T0 + policy.addressWindowSeconds * 1000 } });
  });
});
