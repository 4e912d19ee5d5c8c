export type BackoffPolicy = { initialMs: number; maxMs: number };

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 15_000 };

/** Delay before the n-th consecutive retry (n from 1): initial, doubling, never above the cap. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (attempt < 1) return 0;
  const exp = Math.min(attempt - 1, 30); // 2^30 * anything ≥ 1 ms is past any sensible cap
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exp);
}
