import type { FastifyReply } from 'fastify';
import type { SessionStore } from '@leadline/platform';
import type pg from 'pg';
import type { CheckpointTracker, QueryMeta } from '../consistency.ts';
import type { FieldPolicyCache } from '../fields/policyCache.ts';
import type { RepVisibility } from '../read/visibility.ts';

/** What every read route needs. */
/** `fields`: the field permissions every answer carrying lead fields is redacted by (fields/redact.ts). */
export type RouteContext = { pool: pg.Pool; tracker: CheckpointTracker; sessions: SessionStore; repVisibility: RepVisibility; fields: FieldPolicyCache };

/** Answers that are bare arrays carry their checkpoint and staleness in headers. */
export function metaHeaders(reply: FastifyReply, meta: QueryMeta): void {
  reply.header('X-Checkpoint', meta.checkpoint);
  reply.header('X-Stale', String(meta.stale));
}
