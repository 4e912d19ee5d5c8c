import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.ts';

describe('LoginLimiter', () => {
  const setup = () => {
    let now = 1_000_000;
    const limiter = new LoginLimiter({ windowMs: 60_000, failuresPerAccount: 3, attemptsPerAddress: 5 }, () => now);
    return { limiter, advance: (ms: number) => (now += ms) };
  };

  it('blocks an account after its failures until the oldest one leaves the window', () => {
    const { limiter, advance } = setup();
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('a@x', `ip${i}`)).toBe(0);
      limiter.recordFailure('a@x');
      advance(10_000);
    }
    expect(limiter.retryAfterSeconds('a@x', 'ip9')).toBe(30);
    expect(limiter.retryAfterSeconds('b@x', 'ip9')).toBe(0);
    advance(30_000);
    expect(limiter.retryAfterSeconds('a@x', 'ip9')).toBe(0);
  });

  it('forgets an account’s failures after a success', () => {
    const { limiter } = setup();
    for (let i = 0; i < 3; i++) limiter.recordFailure('a@x');
    limiter.recordSuccess('a@x');
    expect(limiter.retryAfterSeconds('a@x', 'ip')).toBe(0);
  });

  it('counts every attempt per address', () => {
    const { limiter, advance } = setup();
    for (let i = 0; i < 5; i++) limiter.recordAttempt('ip');
    expect(limiter.retryAfterSeconds(`new@x`, 'ip')).toBe(60);
    advance(60_001);
    expect(limiter.retryAfterSeconds(`new@x`, 'ip')).toBe(0);
  });
});
