import { StoreUnavailableError, isDatabaseUnavailable } from '@leadline/platform';

/** Another instance advanced the projection's state: this one no longer owns it. */
export class OwnershipLostError extends Error {
  readonly name = 'OwnershipLostError';
}

/** Errors that are about the infrastructure, not the events: retry them, never blame an event. */
export const isTransient = (err: unknown): boolean =>
  err instanceof StoreUnavailableError || err instanceof OwnershipLostError || isDatabaseUnavailable(err) || isRetryableSqlState(err);

// Serialization failures and deadlocks are the database asking for a retry.
const isRetryableSqlState = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === '40001' || code === '40P01';
};

export const backoffMs = (attempt: number, capMs = 5000): number => Math.min(capMs, 100 * 2 ** Math.min(attempt, 10));
