import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { EventStore } from '@leadline/eventstore';
import { DEFAULT_SESSION_TTL_HOURS, type SessionStore } from '@leadline/platform';
import type { IdempotencyStore } from './idempotency.ts';

export type CommandDeps = {
  pool: pg.Pool;
  eventStore: EventStore;
  sessionSecret: string;
  cookieSecure: boolean;
  /** SESSION_TTL_HOURS: how long a session lasts from sign-in (default 12 h). */
  sessionTtlSeconds?: number;
  /** When commands happen; only the demo seeder replaces it, to record a plausible past. */
  clock?: () => Date;
};

export const DEFAULT_SESSION_TTL_SECONDS = DEFAULT_SESSION_TTL_HOURS * 3600;

export type RouteDeps = CommandDeps & {
  idempotency: IdempotencyStore;
  sessions: SessionStore;
  /** Connections for session-level locks held across a command, apart from the pool the work uses. */
  lockPool: pg.Pool;
};

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;
