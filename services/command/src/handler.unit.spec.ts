import { describe, expect, it } from 'vitest';
import { ConcurrencyError, ValidationError } from '@leadline/platform';
import { MAX_ATTEMPTS, parseIdempotencyKey, parseIfMatch, withConflictRetry } from './handler.ts';

describe('parseIfMatch', () => {
  it('accepts 3, "3" and W/"3"; * pins nothing', () => {
    expect(parseIfMatch('3')).toBe(3);
    expect(parseIfMatch('"3"')).toBe(3);
    expect(parseIfMatch('W/"3"')).toBe(3);
    expect(parseIfMatch('*')).toBeUndefined();
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(() => parseIfMatch('three')).toThrow(ValidationError);
  });
});

describe('parseIdempotencyKey', () => {
  it('takes 1 to 200 printable characters', () => {
    expect(parseIdempotencyKey('order 42/retry')).toBe('order 42/retry');
    expect(() => parseIdempotencyKey('')).toThrow(ValidationError);
    expect(() => parseIdempotencyKey('x'.repeat(201))).toThrow(ValidationError);
    expect(() => parseIdempotencyKey('tab\there')).toThrow(ValidationError);
  });
});

describe('withConflictRetry', () => {
  const conflict = () => new ConcurrencyError('lead-1', 1, 2);

  it('re-runs on a version conflict and gives up after MAX_ATTEMPTS', async () => {
    let calls = 0;
    await expect(withConflictRetry(false, async () => (++calls < 3 ? Promise.reject(conflict()) : 'done'))).resolves.toBe('done');
    expect(calls).toBe(3);
    calls = 0;
    await expect(withConflictRetry(false, async () => (++calls, Promise.reject(conflict())))).rejects.toBeInstanceOf(ConcurrencyError);
    expect(calls).toBe(MAX_ATTEMPTS);
  });

  it('never retries a pinned version or another error', async () => {
    let calls = 0;
    await expect(withConflictRetry(true, async () => (++calls, Promise.reject(conflict())))).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(withConflictRetry(false, async () => (++calls, Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    expect(calls).toBe(2);
  });
});
