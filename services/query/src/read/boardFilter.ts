import type { BoardFilter } from '@leadline/contracts';
import type { LeadFieldView } from '../fields/policyCache.ts';
import { leadSearchSql } from '../fields/search.ts';

/** True when any board filter is set: then counts and sums come from read.leads, not stage_totals. */
export const isFiltered = (f: BoardFilter): boolean =>
  f.ownerId !== undefined || f.source !== undefined || f.minValue !== undefined || f.maxValue !== undefined || f.q !== undefined;

/** Only the filter fields of a query (the rest is paging and consistency). */
export const pickFilter = (q: BoardFilter): BoardFilter => ({ ownerId: q.ownerId, source: q.source, minValue: q.minValue, maxValue: q.maxValue, q: q.q });

/**
 * The SQL condition restricting `alias` (a read.leads or read.lead_versions row) to the filter;
 * values go in as parameters appended to `params`. `TRUE` when nothing is filtered. `q` searches only
 * what the reader may see (`fields`, required with `q`).
 */
export function boardFilterSql(filter: BoardFilter, alias: string, params: unknown[], fields: LeadFieldView | null): string {
  const parts: string[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.ownerId === 'none') parts.push(`${alias}.owner_id IS NULL`);
  else if (filter.ownerId) parts.push(`${alias}.owner_id = ${param(filter.ownerId)}::uuid`);
  if (filter.source) parts.push(`lower(${alias}.source) = lower(${param(filter.source)}::text)`);
  if (filter.minValue !== undefined) parts.push(`${alias}.deal_value >= ${param(filter.minValue)}::numeric`);
  if (filter.maxValue !== undefined) parts.push(`${alias}.deal_value <= ${param(filter.maxValue)}::numeric`);
  if (filter.q) {
    if (!fields) throw new Error('a board search needs the reader\'s field permissions');
    parts.push(leadSearchSql(fields, filter.q, alias, params));
  }
  return parts.length === 0 ? 'TRUE' : `(${parts.join(' AND ')})`;
}
