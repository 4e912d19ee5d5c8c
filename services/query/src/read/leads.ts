import { defaultSortDir, type LeadCard, type LeadDto, type LeadListQuery } from '@leadline/contracts';
import type pg from 'pg';
import type { LeadFieldView } from '../fields/policyCache.ts';
import { boardFilterSql, pickFilter } from './boardFilter.ts';
import { decodeSortCursor, encodeSortCursor, sortSql } from './leadSort.ts';
import { CARD_COLUMNS, LEAD_COLUMNS, toLeadCard, toLeadDto, type CardRow, type LeadRow } from './rows.ts';
import { visibilitySql, type Scope } from './visibility.ts';

export type LeadFilter = Omit<LeadListQuery, 'minCheckpoint'>;

/** Escapes LIKE wildcards so that user text matches literally (backslash is PostgreSQL's default escape). */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The lead list: the board's filters (boardFilterSql, the one implementation) and a stage, in the
 * scope, sorted by one column with keyset paging. `fields`: the reader's field permissions, so that
 * `q` never matches a value hidden from them (the caller refuses hidden filters and sorts first).
 */
export async function listLeads(pool: pg.Pool, scope: Scope, filter: LeadFilter, fields: LeadFieldView): Promise<{ items: LeadDto[]; nextCursor: string | null }> {
  const params: unknown[] = [];
  const where = [visibilitySql(scope, 'l', params), boardFilterSql(pickFilter(filter), 'l', params, fields)];
  if (filter.stageId) {
    params.push(filter.stageId);
    where.push(`l.stage_id = $${params.length}::uuid`);
  }
  const dir = filter.dir ?? defaultSortDir(filter.sort);
  const after = filter.cursor ? decodeSortCursor(filter.cursor, filter.sort, dir) : null;
  const sort = sortSql(filter.sort, dir, after, params);
  if (sort.after) where.push(sort.after);
  params.push(filter.limit + 1);
  const { rows } = await pool.query<LeadRow & { sort_null: boolean; sort_key: string }>(
    `SELECT ${LEAD_COLUMNS}, ${sort.isNull} AS sort_null, ${sort.key} AS sort_key
     FROM read.leads l LEFT JOIN read.users u ON u.id = l.owner_id ${sort.join}
     WHERE ${where.join(' AND ')}
     ORDER BY ${sort.orderBy}
     LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toLeadDto),
    nextCursor: rows.length > filter.limit && last ? encodeSortCursor({ sort: filter.sort, dir, isNull: last.sort_null, key: last.sort_key, id: last.id }) : null,
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
