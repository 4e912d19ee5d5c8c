import type { BoardFilter } from '@leadline/contracts';

/** The board's filters as kept in the URL: `owner`, `source`, `min`, `max`, `q`. */
type RouteQuery = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const amount = (v: unknown): number | undefined => {
  const s = text(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

/** Reads the filters from a route query; values that make no sense are dropped, not sent. */
export function filterFromQuery(query: RouteQuery): BoardFilter {
  const filter: BoardFilter = {};
  const owner = text(query.owner);
  if (owner) filter.ownerId = owner;
  const source = text(query.source);
  if (source) filter.source = source;
  const min = amount(query.min);
  const max = amount(query.max);
  if (min !== undefined) filter.minValue = min;
  if (max !== undefined && (min === undefined || max >= min)) filter.maxValue = max;
  const q = text(query.q);
  if (q) filter.q = q;
  return filter;
}

/** The route query for `filter`, keeping the other keys of `query`; an unset filter leaves the URL. */
export function queryWithFilter<Q extends RouteQuery>(query: Q, filter: BoardFilter): Q & Record<'owner' | 'source' | 'min' | 'max' | 'q', string | undefined> {
  return {
    ...query,
    owner: filter.ownerId || undefined,
    source: filter.source || undefined,
    min: filter.minValue === undefined ? undefined : String(filter.minValue),
    max: filter.maxValue === undefined ? undefined : String(filter.maxValue),
    q: filter.q || undefined,
  };
}

export const hasFilter = (f: BoardFilter): boolean => Object.values(f).some((v) => v !== undefined);

/** The filter as API query parameters (the names the board endpoints take). */
export const filterParams = (f: BoardFilter): Record<string, string | number | undefined> => ({
  ownerId: f.ownerId,
  source: f.source,
  minValue: f.minValue,
  maxValue: f.maxValue,
  q: f.q,
});
