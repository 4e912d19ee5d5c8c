import type { AuditEntryDto, AuditFilter } from '@leadline/contracts';
import type pg from 'pg';
import { decodeListCursor, encodeListCursor } from '../read/cursor.ts';

type Row = {
  record_id: string; at: Date; at_key: string; kind: AuditEntryDto['kind']; actor_id: string | null; actor_role: string | null; actor_email: string | null; actor_name: string | null;
  subject_type: string | null; subject_id: string | null; ip: string | null; user_agent: string | null; detail: Record<string, unknown>; stream_id: string; stream_version: number; hash: string;
};

const COLUMNS = `a.record_id, a.at, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key, a.kind, a.actor_id, a.actor_role, a.actor_email,
  u.name AS actor_name, a.subject_type, a.subject_id, a.ip, a.user_agent, a.detail, a.stream_id, a.stream_version, a.hash`;

const toDto = (r: Row): AuditEntryDto => ({
  id: r.record_id,
  at: r.at.toISOString(),
  kind: r.kind,
  actor: r.actor_id ? { userId: r.actor_id, role: r.actor_role as NonNullable<AuditEntryDto['actor']>['role'], email: r.actor_email ?? '', name: r.actor_name } : null,
  subject: r.subject_type && r.subject_id ? { type: r.subject_type as NonNullable<AuditEntryDto['subject']>['type'], id: r.subject_id } : null,
  ip: r.ip,
  userAgent: r.user_agent,
  detail: r.detail,
  streamId: r.stream_id,
  streamVersion: r.stream_version,
  hash: r.hash,
});

/** One page of audit entries matching the filter, newest first (`at DESC, record_id DESC`), after the cursor. */
export async function listAudit(pool: pg.Pool, filter: AuditFilter & { limit: number; cursor?: string }): Promise<{ items: AuditEntryDto[]; nextCursor: string | null }> {
  const params: unknown[] = [];
  const where = whereOf(filter, params);
  if (filter.cursor) {
    const after = decodeListCursor(filter.cursor);
    params.push(after.createdAt, after.id);
    where.push(`(a.at, a.record_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(filter.limit + 1);
  const { rows } = await pool.query<Row>(
    `SELECT ${COLUMNS} FROM read.audit_log a LEFT JOIN read.users u ON u.id = a.actor_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY a.at DESC, a.record_id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return { items: page.map(toDto), nextCursor: rows.length > filter.limit && last ? encodeListCursor({ createdAt: last.at_key, id: last.record_id }) : null };
}

/** Every entry matching the filter, newest first, read in pages (for the streamed export). */
export async function* allAudit(pool: pg.Pool, filter: AuditFilter, pageSize = 1000): AsyncGenerator<AuditEntryDto> {
  let cursor: string | undefined;
  do {
    const page = await listAudit(pool, { ...filter, limit: pageSize, cursor });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

function whereOf(f: AuditFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.kind) add((p) => `a.kind = ANY(${p}::text[])`, f.kind);
  if (f.actorId) add((p) => `a.actor_id = ${p}::uuid`, f.actorId);
  if (f.subject) add((p) => `a.subject_id = ${p}`, f.subject);
  if (f.from) add((p) => `a.at >= ${p}::timestamptz`, f.from);
  if (f.to) add((p) => `a.at < ${p}::timestamptz`, f.to);
  return where;
}
