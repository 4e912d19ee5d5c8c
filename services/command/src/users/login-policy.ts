/**
 * Sign-in throttling that slows a guesser without locking out the owner. Failures are counted per
 * (account, client address): after `freeFailures` of them each further attempt from that address
 * waits twice as long as the one before (2 s, 4 s, 8 s ... at most `maxDelaySeconds`), while the
 * owner signing in from another address is not slowed at all. Per address, at most
 * `addressFailures` failed attempts per window whatever the accounts (credential stuffing).
 * Attempts count as failures until they succeed: concurrent guesses cannot slip through together.
 */
export type ThrottlePolicy = {
  freeFailures: number;
  maxDelaySeconds: number;
  /** A pair quiet this long starts over. */
  forgetAfterSeconds: number;
  addressFailures: number;
  addressWindowSeconds: number;
};

export const defaultThrottlePolicy: ThrottlePolicy = { freeFailures: 5, maxDelaySeconds: 900, forgetAfterSeconds: 3600, addressFailures: 30, addressWindowSeconds: 900 };

/** Failures of one account from one address; `lastAttemptAt` in ms. */
export type PairState = { failures: number; lastAttemptAt: number };
/** Failed attempts from one address in the window that started at `windowStartedAt` (ms). */
export type AddressState = { failures: number; windowStartedAt: number };

/** Seconds the next attempt must wait after `failures` failures. */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxDelaySeconds, 2 ** (failures - policy.freeFailures + 1));
}

export type AttemptDecision =
  | { allowed: true; pair: PairState; address: AddressState }
  | { allowed: false; retryAfterSeconds: number; limit: 'account' | 'address' };

/** Whether an attempt may go ahead now, and the counts to store if it does (counted as failed until it succeeds). */
export function decideAttempt(pair: PairState, address: AddressState, now: number, policy: ThrottlePolicy): AttemptDecision {
  const pairFailures = now - pair.lastAttemptAt >= policy.forgetAfterSeconds * 1000 ? 0 : pair.failures;
  const windowEnds = address.windowStartedAt + policy.addressWindowSeconds * 1000;
  const current = now >= windowEnds ? { failures: 0, windowStartedAt: now } : address;
  if (current.failures >= policy.addressFailures) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowEnds - now) / 1000)), limit: 'address' };
  const waitUntil = pair.lastAttemptAt + delayAfter(pairFailures, policy) * 1000;
  if (pairFailures > 0 && now < waitUntil) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((waitUntil - now) / 1000)), limit: 'account' };
  return { allowed: true, pair: { failures: pairFailures + 1, lastAttemptAt: now }, address: { failures: current.failures + 1, windowStartedAt: current.windowStartedAt } };
}

/** The failure that makes the next attempt wait: what is recorded as a lockout. */
export const startsDelay = (failures: number, policy: ThrottlePolicy): boolean => failures === policy.freeFailures;
