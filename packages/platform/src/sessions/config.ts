import { z } from 'zod';

export const DEFAULT_SESSION_TTL_HOURS = 12;

/** `SESSION_TTL_HOURS`: how long a session lasts from sign-in (1 to 720, default 12); empty means the default. */
export const sessionTtlHours = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z.coerce.number().int().min(1, 'at least 1 hour').max(720, 'at most 720 hours').default(DEFAULT_SESSION_TTL_HOURS),
);
