import { z } from 'zod';
import { problem } from '@leadline/contracts';
import { IDEMPOTENCY_KEY } from './idempotency.ts';

const idempotencyKey = z
  .string()
  .regex(IDEMPOTENCY_KEY, '1 to 200 printable characters')
  .optional()
  .describe('Makes the request safe to retry: a repeat from the same user gets the first answer and appends nothing (remembered 24 h)');

const ifMatch = z
  .string()
  .optional()
  .describe('The stream version the change is based on (`3`, `"3"` or `W/"3"`); a different current version answers 409 with currentVersion');

// loose: the validated object replaces request.headers, which must keep authorization and cookie.
export const createHeaders = z.object({ 'idempotency-key': idempotencyKey }).loose();
export const changeHeaders = z.object({ 'idempotency-key': idempotencyKey, 'if-match': ifMatch }).loose();

const descriptions: Record<number, string> = {
  400: 'Invalid request: `errors` names each invalid field',
  401: 'Not signed in, or the token is invalid or expired',
  403: 'Signed in, but this role or user may not do this',
  404: 'Not found',
  409: 'Conflict: a duplicate, or a version mismatch (then with `currentVersion`)',
  422: 'Refused by a business rule named in `rule`',
  429: 'Too many attempts; see Retry-After',
  503: 'A backing store is unavailable; retry shortly',
};

/** problem+json answers for the listed statuses, so that OpenAPI documents every outcome. */
export function problems(...statuses: number[]): Record<number, typeof problem> {
  return Object.fromEntries(statuses.map((s) => [s, problem.describe(descriptions[s])]));
}
