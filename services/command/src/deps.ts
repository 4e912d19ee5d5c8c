import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { EventStore } from '@leadline/eventstore';
import type { IdempotencyStore } from './idempotency.ts';

export type CommandDeps = {
  pool: pg.Pool;
  eventStore: EventStore;
  sessionSecret: string;
  cookieSecure: boolean;
  /** When commands happen; only the demo seeder replaces it, to record a plausible past. */
  clock?: () => Date;
};

export type RouteDeps = CommandDeps & { idempotency: IdempotencyStore };

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;
