import type { FieldView, RawEvent, TimelineEntry, TimelineKind } from '@leadline/contracts';
import type { Principal } from '@leadline/platform';
import type pg from 'pg';
import { redactChanges, redactEventData } from '../fields/events.ts';
import { decodePositionCursor, encodePositionCursor } from './cursor.ts';
import { describeActivity, describeLeadEvent, type Names } from './words.ts';

type Snapshot = {
  type: TimelineEntry['kind'] & ('call' | 'email' | 'meeting' | 'note' | 'task' | 'sms');
  subject: string; description: string | null; scheduledAt: string | null; details: Record<string, unknown>; userId: string;
  completedAt: string | null; outcome: string | null; durationMinutes: number | null; deletedAt: string | null; deletedBy: string | null; edited: boolean; version: number;
};

type Row = { id: string; kind: TimelineKind; event_type: string; occurred_at: Date; position: string; actor_id: string; activity: Snapshot | null; events: RawEvent[] };

export type TimelineFilter = { kinds?: TimelineKind[]; limit: number; cursor?: string; changedSince?: string };

/** Admins, managers and auditors see the raw events and what deleted activities said. */
export const mayAudit = (p: Principal): boolean => p.role === 'admin' || p.role === 'manager' || p.role === 'auditor';

const CHANGED_SINCE_LIMIT = 500;

/** The reader's field permissions on this lead (its current owner decides other-team rules). */
export type TimelineFields = { view: FieldView; ownerId: string | null };

export async function readTimeline(pool: pg.Pool, principal: Principal, leadId: string, f: TimelineFilter, fields: TimelineFields): Promise<{ items: TimelineEntry[]; nextCursor: string | null }> {
  const params: unknown[] = [leadId];
  const where = ['t.lead_id = $1::uuid'];
  if (f.kinds) {
    params.push(f.kinds);
    where.push(`t.kind = ANY($${params.length}::text[])`);
  }
  if (f.changedSince !== undefined) {
    params.push(f.changedSince);
    where.push(`t.changed_position > $${params.length}`);
  } else if (f.cursor) {
    params.push(decodePositionCursor(f.cursor));
    where.push(`t.position < $${params.length}`);
  }
  const limit = f.changedSince !== undefined ? CHANGED_SINCE_LIMIT : f.limit;
  params.push(limit + 1);
  const { rows } = await pool.query<Row>(
    `SELECT t.id, t.kind, t.event_type, t.occurred_at, t.position, t.actor_id, t.activity, t.events FROM read.timeline t
     WHERE ${where.join(' AND ')} ORDER BY t.position DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, limit);
  const names = await namesFor(pool, page);
  const audit = mayAudit(principal);
  // Raw events are the record: auditors read them whole; everyone else gets them with hidden values taken out.
  const raw = (events: RawEvent[]): RawEvent[] | null =>
    !audit ? null : principal.role === 'auditor' ? events : events.map((e) => ({ ...e, data: redactEventData(fields.view, fields.ownerId, e.type, (e.data ?? {}) as Record<string, unknown>) }));
  const items = page.map((r) => toEntry(r, names, audit, raw, fields));
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > limit && last && f.changedSince === undefined ? encodePositionCursor(last.position) : null };
}

function toEntry(r: Row, names: Names, audit: boolean, raw: (events: RawEvent[]) => RawEvent[] | null, fields: TimelineFields): TimelineEntry {
  const base = { id: r.id, kind: r.kind, eventType: r.event_type, at: r.occurred_at.toISOString(), position: r.position, actorId: r.actor_id, actorName: names.user(r.actor_id), raw: raw(r.events) };
  const a = r.activity;
  if (!a) {
    const data = redactEventData(fields.view, fields.ownerId, r.event_type, (r.events[0]?.data ?? {}) as Record<string, unknown>);
    const { summary, changes } = describeLeadEvent(r.event_type, data, names);
    return { ...base, summary, changes: redactChanges(fields.view, fields.ownerId, changes), activity: null };
  }
  const hidden = a.deletedAt !== null && !audit;
  const activity = {
    id: r.id, type: a.type, subject: hidden ? null : a.subject, description: hidden ? null : a.description, scheduledAt: a.scheduledAt, details: hidden ? null : a.details,
    userId: a.userId, userName: names.user(a.userId), completedAt: a.completedAt, outcome: a.outcome, durationMinutes: a.durationMinutes,
    deletedAt: a.deletedAt, deletedBy: a.deletedBy, deletedByName: names.user(a.deletedBy), edited: a.edited, version: a.version,
  };
  return { ...base, summary: describeActivity(activity), changes: [], activity };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user and stage names the page's words need, in two queries. */
async function namesFor(pool: pg.Pool, rows: Row[]): Promise<Names> {
  const userIds = new Set<string>();
  const stageIds = new Set<string>();
  for (const r of rows) {
    userIds.add(r.actor_id);
    if (r.activity) {
      userIds.add(r.activity.userId);
      if (r.activity.deletedBy) userIds.add(r.activity.deletedBy);
    }
    const data = (r.events[0]?.data ?? {}) as Record<string, unknown>;
    for (const key of ['ownerId', 'previousOwnerId']) if (typeof data[key] === 'string') userIds.add(data[key]);
    for (const key of ['stageId', 'fromStageId', 'toStageId']) if (typeof data[key] === 'string') stageIds.add(data[key]);
  }
  const [users, stages] = await Promise.all([
    pool.query<{ id: string; name: string }>('SELECT id, name FROM read.users WHERE id = ANY($1::uuid[])', [[...userIds].filter((id) => UUID.test(id))]),
    pool.query<{ id: string; name: string; is_won: boolean; is_lost: boolean }>('SELECT id, name, is_won, is_lost FROM read.stages WHERE id = ANY($1::uuid[])', [[...stageIds]]),
  ]);
  const userMap = new Map(users.rows.map((u) => [u.id, u.name]));
  const stageMap = new Map(stages.rows.map((s) => [s.id, { name: s.name, isWon: s.is_won, isLost: s.is_lost }]));
  return {
    user: (id) => (id ? (userMap.get(id) ?? (UUID.test(id) ? null : id)) : null),
    stage: (id) => stageMap.get(id) ?? null,
  };
}
