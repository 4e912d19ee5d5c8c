import crypto from 'node:crypto';
import { auditRecordedV1, type AuditKind, type AuditSubject } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import type { Principal } from '@leadline/platform';
import { sealed } from './hash.ts';
import { GENESIS_HASH } from './streams.ts';
import { AuditWriter, type AuditReceipt } from './writer.ts';

export type { AuditReceipt } from './writer.ts';

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

type RequestLike = { ip: string; headers: Record<string, string | string[] | undefined>; correlationId?: string };

/** The context of a Fastify request: its address, user agent and correlation id. */
export function auditContext(request: RequestLike, actor: AuditContext['actor']): AuditContext {
  const agent = request.headers['user-agent'];
  return { actor, ip: request.ip || null, userAgent: (Array.isArray(agent) ? agent[0] : agent) ?? null, correlationId: request.correlationId };
}

const writers = new WeakMap<EventStore, AuditWriter>();
const writerOf = (store: EventStore): AuditWriter => {
  let writer = writers.get(store);
  if (!writer) writers.set(store, (writer = new AuditWriter(store)));
  return writer;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Appends one audit event to the chain (docs/audit.md) and resolves once it is committed: a caller
 * that must not act unaudited (an export) awaits it before acting; a rejection means nothing was
 * acknowledged. Throws a TypeError at once for an entry the contract refuses (a programming error).
 */
export function recordAudit(store: EventStore, context: AuditContext, entry: AuditEntry): Promise<AuditReceipt> {
  const content = {
    kind: entry.kind,
    at: (context.at ?? new Date()).toISOString(),
    actor: context.actor && { userId: context.actor.userId, role: context.actor.role, email: context.actor.email },
    subject: entry.subject && { type: entry.subject.type, id: text(entry.subject.id, 320) },
    ip: context.ip && text(context.ip, 64),
    userAgent: context.userAgent && text(context.userAgent, 512),
    detail: plainJson(entry.detail ?? {}) as Record<string, unknown>,
  };
  const checked = auditRecordedV1.safeParse(sealed({ ...content, prev: null }, GENESIS_HASH));
  if (!checked.success) throw new TypeError(`recordAudit: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const eventId = crypto.randomUUID();
  const correlationId = context.correlationId && UUID.test(context.correlationId) ? context.correlationId : eventId;
  return writerOf(store).write({ eventId, correlationId, content });
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
