import type { LeadCard, LeadDto } from '@leadline/contracts';
import type pg from 'pg';
import type { LeadFieldView } from '../fields/policyCache.ts';
import { leadSearchSql } from '../fields/search.ts';
import { decodeListCursor, encodeListCursor } from './cursor.ts';
import { CARD_COLUMNS, LEAD_COLUMNS, toLeadCard, toLeadDto, type CardRow, type LeadRow } from './rows.ts';
import { visibilitySql, type Scope } from './visibility.ts';

export type LeadFilter = { stageId?: string; ownerId?: string; q?: string; limit: number; cursor?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Escapes LIKE wildcards so that user text matches literally (backslash is PostgreSQL's default escape). */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `fields`: the reader's field permissions, so that `q` never matches a value hidden from them. */
export async function listLeads(pool: pg.Pool, scope: Scope, filter: LeadFilter, fields: LeadFieldView): Promise<{ items: LeadDto[]; nextCursor: string | null }> {
  const params: unknown[] = [];
  const where = [visibilitySql(scope, 'l', params)];
  if (filter.stageId) {
    params.push(filter.stageId);
    where.push(`l.stage_id = $${params.length}::uuid`);
  }
  if (filter.ownerId === 'none') where.push('l.owner_id IS NULL');
  else if (filter.ownerId) {
    params.push(filter.ownerId);
    where.push(`l.owner_id = $${params.length}::uuid`);
  }
  if (filter.q) where.push(leadSearchSql(fields, filter.q, 'l', params));
  if (filter.cursor) {
    const after = decodeListCursor(filter.cursor);
    params.push(after.createdAt, after.id);
    where.push(`(l.created_at, l.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(filter.limit + 1);
  const { rows } = await pool.query<LeadRow>(
    `SELECT ${LEAD_COLUMNS} FROM read.leads l LEFT JOIN read.users u ON u.id = l.owner_id
     WHERE ${where.join(' AND ')}
     ORDER BY l.created_at DESC, l.id DESC
     LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toLeadDto),
    nextCursor: rows.length > filter.limit && last ? encodeListCursor({ createdAt: last.created_key, id: last.id }) : null,
  };
}

/** The lead, or null when it does not exist or the scope may not see it (the caller must not tell which). */
export async function getLead(pool: pg.Pool, scope: Scope, id: string): Promise<LeadDto | null> {
  const params: unknown[] = [id];
  const visible = visibilitySql(scope, 'l', params);
  const { rows } = await pool.query<LeadRow>(
    `SELECT ${LEAD_COLUMNS} FROM read.leads l LEFT JOIN read.users u ON u.id = l.owner_id WHERE l.id = $1::uuid AND ${visible}`,
    params,
  );
  return rows[0] ? toLeadDto(rows[0]) : null;
}

/** Current cards of the given leads, whoever may see them; ids that are not uuids or not found are left out. */
export async function loadCards(pool: pg.Pool, ids: string[]): Promise<LeadCard[]> {
  const valid = [...new Set(ids.filter((id) => UUID.test(id)))];
  if (valid.length === 0) return [];
  const { rows } = await pool.query<CardRow>(
    `SELECT ${CARD_COLUMNS} FROM read.leads l LEFT JOIN read.users u ON u.id = l.owner_id WHERE l.id = ANY($1::uuid[])`,
    [valid],
  );
  return rows.map(toLeadCard);
}
