import crypto from 'node:crypto';
import type pg from 'pg';
import { auditRecordedV1, type AuditKind, type AuditSubject } from '@leadline/contracts';
import type { Principal } from '@leadline/platform';
import { AuditOutbox } from './outbox.ts';

/** Who asked, from where: what every audit event says besides its kind. */
export type AuditContext = {
  /** The signed-in user, or null (a failed sign-in). */
  actor: Pick<Principal, 'userId' | 'role' | 'email'> | null;
  ip: string | null;
  userAgent: string | null;
  correlationId?: string;
  /** When; default now (the demo seeder and tests give a past). */
  at?: Date;
};

export type AuditEntry = {
  kind: AuditKind;
  subject: AuditSubject | null;
  /** Ids and names of things, never a lead's personal data. Strings are cut at 2,000 characters. */
  detail?: Record<string, unknown>;
};

/** What a recorded audit event is known by (`recordId` in its data once it is chained). */
export type AuditReceipt = { recordId: string; at: string };

type RequestLike = { ip: string; headers: Record<string, string | string[] | undefined>; correlationId?: string };

/** The context of a Fastify request: its address, user agent and correlation id. */
export function auditContext(request: RequestLike, actor: AuditContext['actor']): AuditContext {
  const agent = request.headers['user-agent'];
  return { actor, ip: request.ip || null, userAgent: (Array.isArray(agent) ? agent[0] : agent) ?? null, correlationId: request.correlationId };
}

const outboxes = new WeakMap<pg.Pool, AuditOutbox>();
const outboxOf = (pool: pg.Pool): AuditOutbox => {
  let outbox = outboxes.get(pool);
  if (!outbox) outboxes.set(pool, (outbox = new AuditOutbox(pool)));
  return outbox;
};

/** What recordAudit checks before it writes: the event without its place in the chain (given by the chainer). */
const recordable = auditRecordedV1.omit({ prev: true, prevHash: true, hash: true });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Records one audit event (docs/audit.md) and resolves once it is durable: committed to the audit
 * outbox in PostgreSQL, from where the chainer appends it to the hash chain in the event store. A
 * caller that must not act unaudited (an export) awaits it first; a rejection means nothing was
 * recorded. Throws a TypeError at once for an entry the contract refuses (a programming error).
 */
export function recordAudit(pool: pg.Pool, context: AuditContext, entry: AuditEntry): Promise<AuditReceipt> {
  const recordId = crypto.randomUUID();
  const content = {
    kind: entry.kind,
    at: (context.at ?? new Date()).toISOString(),
    actor: context.actor && { userId: context.actor.userId, role: context.actor.role, email: context.actor.email },
    subject: entry.subject && { type: entry.subject.type, id: text(entry.subject.id, 320) },
    ip: context.ip && text(context.ip, 64),
    userAgent: context.userAgent && text(context.userAgent, 512),
    detail: plainJson(entry.detail ?? {}) as Record<string, unknown>,
  };
  const checked = recordable.safeParse({ recordId, ...content });
  if (!checked.success) throw new TypeError(`recordAudit: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const correlationId = context.correlationId && UUID.test(context.correlationId) ? context.correlationId : recordId;
  return outboxOf(pool)
    .write({ recordId, correlationId, content })
    .then(() => ({ recordId, at: content.at }));
}

/** Text PostgreSQL's jsonb can hold (no NUL, no unpaired surrogate), at most `max` characters. */
function text(value: string, max: number): string {
  return value
    .slice(0, max)
    .replace(/\u0000/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The detail as the store will give it back (plain JSON), so that the hash of what was sent is the hash of what is read. */
function plainJson(value: unknown): unknown {
  const json: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v, 2000);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k, 200), clean(x)]));
    return v;
  };
  return clean(json);
}
