import { z } from 'zod';
import { ValidationError } from '@leadline/platform';

const uuid = z.uuid();

/** Position after a row of the lead list, ordered by `created_at DESC, id DESC`. */
export type ListCursor = { createdAt: string; id: string };

/** Position after a card of a board column, ordered by `rank COLLATE "C", id`. */
export type ColumnCursor = { stageId: string; rank: string; id: string };

const listPayload = z.object({ c: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), i: uuid }).strict();
const columnPayload = z.object({ s: uuid, r: z.string().max(255), i: uuid }).strict();

const encode = (payload: unknown): string => Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');

function decode<T>(cursor: string, schema: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw malformed();
  return result.data;
}

const malformed = () => new ValidationError('malformed cursor', [{ field: 'querystring.cursor', message: 'must be a cursor returned by the API' }]);

export const encodeListCursor = (c: ListCursor): string => encode({ c: c.createdAt, i: c.id });

export function decodeListCursor(cursor: string): ListCursor {
  const p = decode(cursor, listPayload);
  return { createdAt: p.c, id: p.i };
}

export const encodeColumnCursor = (c: ColumnCursor): string => encode({ s: c.stageId, r: c.rank, i: c.id });

export function decodeColumnCursor(cursor: string): ColumnCursor {
  const p = decode(cursor, columnPayload);
  return { stageId: p.s, rank: p.r, id: p.i };
}
