import type { ActivityDto, ActivityListQuery, ActivityTemplateDto, FieldView } from '@leadline/contracts';
import type pg from 'pg';
import { redactFields } from '../fields/redact.ts';
import type { Scope } from '../read/visibility.ts';
import { decodeTimeCursor, encodeTimeCursor } from './cursor.ts';

/**
 * `onVisibleLeads`: only activities on leads the scope sees, not also those given to the rep on others' leads (the global search opens the lead).
 * `planByEstimate`: text search picks its plan from the planner's estimate at once, without the window first (the global search: see below).
 */
export type ActivityFilter = Omit<ActivityListQuery, 'minCheckpoint'> & { includeDeleted?: boolean; onVisibleLeads?: boolean; planByEstimate?: boolean };

const KEY = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const COLUMNS = `a.id, a.lead_id, l.first_name, l.last_name, l.company, l.owner_id AS lead_owner_id, a.type, a.user_id, u.name AS user_name,
  a.created_by, a.subject, a.description, a.scheduled_at, a.details, a.completed_at, a.outcome, a.duration_minutes, a.deleted_at, a.deleted_by,
  a.version, a.created_at, a.updated_at, ${KEY('a.created_at')} AS created_key, ${KEY('a.scheduled_at')} AS scheduled_key`;

type Row = {
  id: string; lead_id: string; first_name: string | null; last_name: string | null; company: string | null; lead_owner_id: string | null; type: ActivityDto['type']; user_id: string; user_name: string | null;
  created_by: string; subject: string; description: string | null; scheduled_at: Date | null; details: Record<string, unknown>; completed_at: Date | null;
  outcome: string | null; duration_minutes: number | null; deleted_at: Date | null; deleted_by: string | null; version: number; created_at: Date; updated_at: Date;
  created_key: string; scheduled_key: string | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The lead's name as the reader may see it (field permissions): the person, else the company, from the visible parts only. */
function leadName(r: Row, view: FieldView): string | null {
  const f = redactFields(view, r.lead_owner_id, { firstName: r.first_name, lastName: r.last_name, company: r.company });
  const person = [f.firstName, f.lastName].filter((p) => p && p.trim()).join(' ').trim();
  return person || f.company || null;
}

const toDto = (r: Row, view: FieldView): ActivityDto => ({
  id: r.id, leadId: r.lead_id, leadName: leadName(r, view), type: r.type, userId: r.user_id, userName: r.user_name, createdBy: r.created_by,
  subject: r.subject, description: r.description, scheduledAt: iso(r.scheduled_at), details: r.details, completedAt: iso(r.completed_at),
  outcome: r.outcome, durationMinutes: r.duration_minutes, deletedAt: iso(r.deleted_at), deletedBy: r.deleted_by, version: r.version,
  createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
});

/** Word prefixes, all required: "disc cal" finds "Discovery call". Only letters and digits reach to_tsquery. */
export function searchQuery(q: string): string | null {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  return words ? words.slice(0, 10).map((w) => `${w}:*`).join(' & ') : null;
}

/**
 * A rep who sees only their own leads sees activities on those (and unassigned) leads, and any
 * activity given to them. An EXISTS on the lead's key, so the page is chosen from `activities` alone.
 */
function scopeSql(scope: Scope, params: unknown[], onVisibleLeads = false): string {
  if (scope.kind === 'all') return 'TRUE';
  params.push(scope.userId);
  const p = `$${params.length}::uuid`;
  return `(${onVisibleLeads ? 'FALSE' : `a.user_id = ${p}`} OR EXISTS (SELECT 1 FROM read.leads l WHERE l.id = a.lead_id AND (l.owner_id = ${p} OR l.owner_id IS NULL)))`;
}

/**
 * Text search reads at most this many of the newest rows (that pass the other filters) in index
 * order before it falls back to the GIN index. A word in more than ~0.5% of them fills a page inside
 * the window; a rarer one has few matches, which the GIN index finds and a small sort orders.
 */
export const SEARCH_WINDOW = 10_000;
/** Above this many estimated matches, sorting them all costs more than walking the time index. */
export const GIN_SORT_LIMIT = 20_000;

export async function listActivities(pool: pg.Pool, scope: Scope, f: ActivityFilter, fields: FieldView): Promise<{ items: ActivityDto[]; nextCursor: string | null }> {
  const params: unknown[] = [];
  const where = [scopeSql(scope, params, f.onVisibleLeads)];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (!f.includeDeleted) where.push('a.deleted_at IS NULL');
  if (f.leadId) add((p) => `a.lead_id = ${p}::uuid`, f.leadId);
  if (f.userId) add((p) => `a.user_id = ${p}::uuid`, f.userId);
  if (f.type) add((p) => `a.type = ANY(${p}::text[])`, f.type);
  if (f.completed !== undefined) where.push(f.completed ? 'a.completed_at IS NOT NULL' : 'a.completed_at IS NULL');
  const timeColumn = f.order === 'scheduled' ? 'a.scheduled_at' : 'a.created_at';
  if (f.order === 'scheduled') where.push('a.scheduled_at IS NOT NULL');
  if (f.from) add((p) => `${timeColumn} >= ${p}::timestamptz`, f.from);
  if (f.to) add((p) => `${timeColumn} < ${p}::timestamptz`, f.to);
  if (f.cursor) {
    const c = decodeTimeCursor(f.cursor, f.order);
    params.push(c.time, c.id);
    const cmp = f.order === 'scheduled' ? '>' : '<';
    where.push(`(${timeColumn}, a.id) ${cmp} ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(f.limit + 1);
  const limit = `$${params.length}`;
  const dir = f.order === 'scheduled' ? 'ASC' : 'DESC';
  const order = `ORDER BY ${timeColumn} ${dir}, a.id ${dir}`;
  // The page is chosen from `activities` alone; names are joined to its few rows only.
  const withNames = (page: string) =>
    `WITH page AS MATERIALIZED (${page})
     SELECT ${COLUMNS} FROM page a LEFT JOIN read.leads l ON l.id = a.lead_id LEFT JOIN read.users u ON u.id = a.user_id ${order}`;
  const tsquery = f.q ? searchQuery(f.q) : null;

  let rows: Row[];
  if (!tsquery) {
    rows = (await pool.query<Row>(withNames(`SELECT a.* FROM read.activities a WHERE ${where.join(' AND ')} ${order} LIMIT ${limit}`), params)).rows;
  } else {
    params.push(tsquery);
    const match = `a.search @@ to_tsquery('simple', $${params.length})`;
    // A rare word (or one found only long ago): every match through the GIN index, then a sort;
    // walking the time index would read the whole table. A word the statistics call common: the walk.
    const byEstimate = () =>
      inTransaction(pool, async (client) => {
        const common = (await estimatedMatches(client, tsquery)) > GIN_SORT_LIMIT;
        await client.query(common
          ? `SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`
          : `SELECT set_config('enable_indexscan', 'off', true), set_config('enable_seqscan', 'off', true)`);
        return (await client.query<Row>(withNames(`SELECT a.* FROM read.activities a WHERE ${where.join(' AND ')} AND ${match} ${order} LIMIT ${limit}`), params)).rows;
      });
    if (f.planByEstimate) {
      // The global search is asked mostly for names, companies and numbers, rare or absent in
      // activities: the window would be read in vain (and a scoped rep's window of 10,000 visible
      // rows walks ~80,000 at 100k activities: 375 ms, docs/performance.md "Lead list and search").
      rows = await byEstimate();
    } else {
      // 1. Common words: the newest SEARCH_WINDOW rows in index order, filtered by the words.
      const windowed = `SELECT a.* FROM (SELECT a.* FROM read.activities a WHERE ${where.join(' AND ')} ${order} LIMIT ${SEARCH_WINDOW}) a WHERE ${match} ${order} LIMIT ${limit}`;
      rows = (await pool.query<Row>(withNames(windowed), params)).rows;
      // 2. Not enough among the newest rows: as the estimate says (a common word's walk goes on past the window).
      if (rows.length <= f.limit) rows = await byEstimate();
    }
  }
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  const time = last && (f.order === 'scheduled' ? last.scheduled_key : last.created_key);
  return { items: page.map((r) => toDto(r, fields)), nextCursor: rows.length > f.limit && last && time ? encodeTimeCursor({ order: f.order, time, id: last.id }) : null };
}

/** The planner's estimate of how many activities match (from the tsvector's element statistics). */
async function estimatedMatches(client: pg.PoolClient, tsquery: string): Promise<number> {
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM read.activities a WHERE a.search @@ to_tsquery('simple', $1)`,
    [tsquery],
  );
  return rows[0]['QUERY PLAN'][0].Plan['Plan Rows'];
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function listTemplates(pool: pg.Pool): Promise<ActivityTemplateDto[]> {
  const { rows } = await pool.query<{ id: string; name: string; type: ActivityTemplateDto['type']; subject: string; description: string | null; duration_minutes: number | null; details: Record<string, unknown>; updated_at: Date }>(
    'SELECT id, name, type, subject, description, duration_minutes, details, updated_at FROM read.activity_templates ORDER BY name, id',
  );
  return rows.map((r) => ({ id: r.id, name: r.name, type: r.type, subject: r.subject, description: r.description, durationMinutes: r.duration_minutes, details: r.details, updatedAt: r.updated_at.toISOString() }));
}
