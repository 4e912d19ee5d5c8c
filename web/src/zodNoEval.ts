import { config } from 'zod';

/**
 * Zod compiles object parsers with `new Function` unless jitless, and probes for it when the first
 * schema is built: under the CSP's `script-src 'self'` (no 'unsafe-eval') that probe is a violation.
 * Imported first by main.ts, before any module that builds a schema (the pages load contracts later).
 */
config({ jitless: true });
