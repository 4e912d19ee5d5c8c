import { defaultSortDir, fieldInWords, hiddenOnSomeLeads, type LeadSort, type PolicyField, type SortDir } from '@leadline/contracts';
import { ValidationError } from '@leadline/platform';
import { z } from 'zod';
import type { LeadFieldView } from '../fields/policyCache.ts';

/**
 * A sort of the lead list over `read.leads l` joined to `read.users u` (and `read.stages s` for the
 * stage). `key` is never null (empty values are flagged by `isNull` and coalesced), so a row
 * comparison `(isNull, key, id) > (...)` continues a page exactly where the last one stopped.
 * The key expressions of name, company, value and updatedAt match indexes of read.leads
 * (projector lead_cards v5): change both together.
 */
type SortSpec = {
  isNull: string | null;
  key: string;
  cast: 'text' | 'numeric' | 'timestamptz' | 'integer';
  /** Fields the sort reads: refused when hidden from the reader on some leads (the order would tell their values). */
  fields: PolicyField[];
  joinStages?: boolean;
};

const NAME = `NULLIF(btrim(lower(COALESCE(l.first_name, '') || ' ' || COALESCE(l.last_name, ''))), '')`;
const TIME_KEY = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const SORTS: Record<LeadSort, SortSpec> = {
  name: { isNull: `(${NAME} IS NULL)`, key: `COALESCE(${NAME}, '')`, cast: 'text', fields: ['firstName', 'lastName'] },
  company: { isNull: '(l.company IS NULL)', key: `COALESCE(lower(l.company), '')`, cast: 'text', fields: ['company'] },
  value: { isNull: '(l.deal_value IS NULL)', key: 'COALESCE(l.deal_value, 0)', cast: 'numeric', fields: ['dealValue'] },
  stage: { isNull: null, key: 'COALESCE(s.order_position, 2147483647)', cast: 'integer', fields: [], joinStages: true },
  owner: { isNull: '(u.name IS NULL)', key: `COALESCE(lower(u.name), '')`, cast: 'text', fields: [] },
  createdAt: { isNull: null, key: 'l.created_at', cast: 'timestamptz', fields: [] },
  updatedAt: { isNull: null, key: 'l.updated_at', cast: 'timestamptz', fields: [] },
};

/** The key as the cursor carries it: text that casts back exactly (microseconds for times, numeric as text). */
export const cursorKeySql = (sort: LeadSort): string => {
  const spec = SORTS[sort];
  return spec.cast === 'timestamptz' ? TIME_KEY(spec.key) : `(${spec.key})::text`;
};

/** Sorting by a field hidden from the reader on some leads would tell its values: refused with 400 naming `sort`. */
export function refuseHiddenSort(view: LeadFieldView, sort: LeadSort): void {
  const hidden = SORTS[sort].fields.filter((f) => hiddenOnSomeLeads(view, f));
  if (hidden.length === 0) return;
  const words = hidden.map(fieldInWords).join(' and ');
  throw new ValidationError(`You may not sort by the ${words}: it is hidden from your role on some leads`, [
    { field: 'querystring.sort', message: `The ${words} is hidden from your role on some leads, so the list cannot be sorted by it` },
  ]);
}

export type SortCursor = { sort: LeadSort; dir: SortDir; isNull: boolean; key: string; id: string };

const payload = z.object({ s: z.string(), d: z.enum(['asc', 'desc']), n: z.boolean(), k: z.string().max(400), i: z.uuid() }).strict();

export const encodeSortCursor = (c: SortCursor): string =>
  Buffer.from(JSON.stringify({ s: c.sort, d: c.dir, n: c.isNull, k: c.key, i: c.id }), 'utf8').toString('base64url');

const malformed = (message: string) => new ValidationError('malformed cursor', [{ field: 'querystring.cursor', message }]);

/** The cursor, checked to belong to this sort and direction (a page of another order would skip or repeat rows). */
export function decodeSortCursor(cursor: string, sort: LeadSort, dir: SortDir): SortCursor {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed('must be a cursor returned by the API');
  }
  const p = payload.safeParse(parsed);
  if (!p.success) throw malformed('must be a cursor returned by the API');
  if (p.data.s !== sort || p.data.d !== dir) throw malformed(`was returned for sort=${p.data.s}&dir=${p.data.d}, not sort=${sort}&dir=${dir}`);
  const key = p.data.k;
  const valid = { text: true, numeric: /^-?\d+(\.\d+)?$/.test(key), integer: /^-?\d{1,10}$/.test(key), timestamptz: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(key) }[SORTS[sort].cast];
  if (!valid) throw malformed('must be a cursor returned by the API');
  return { sort, dir, isNull: p.data.n, key, id: p.data.i };
}

/** ORDER BY and the after-cursor condition of a sort; values are appended to `params`. */
export function sortSql(sort: LeadSort, dir: SortDir | undefined, after: SortCursor | null, params: unknown[]): { dir: SortDir; orderBy: string; after: string | null; join: string; isNull: string; key: string } {
  const d = dir ?? defaultSortDir(sort);
  const spec = SORTS[sort];
  const D = d === 'asc' ? 'ASC' : 'DESC';
  const columns = [spec.isNull, spec.key, 'l.id'].filter((c): c is string => c !== null);
  const orderBy = columns.map((c) => `${c} ${D}`).join(', ');
  let condition: string | null = null;
  if (after) {
    const values: string[] = [];
    if (spec.isNull) {
      params.push(after.isNull);
      values.push(`$${params.length}::boolean`);
    }
    params.push(after.key);
    values.push(`$${params.length}::${spec.cast}`);
    params.push(after.id);
    values.push(`$${params.length}::uuid`);
    condition = `(${columns.join(', ')}) ${d === 'asc' ? '>' : '<'} (${values.join(', ')})`;
  }
  return {
    dir: d,
    orderBy,
    after: condition,
    join: spec.joinStages ? 'LEFT JOIN read.stages s ON s.id = l.stage_id' : '',
    isNull: spec.isNull ?? 'FALSE',
    key: cursorKeySql(sort),
  };
}
