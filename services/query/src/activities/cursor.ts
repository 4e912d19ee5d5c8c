import { ValidationError } from '@leadline/platform';
import { z } from 'zod';

/** Opaque cursors of the activity list (by time and id) and the timeline (by log position). */
const timePayload = z.object({ k: z.enum(['r', 's']), t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), i: z.uuid() }).strict();
const positionPayload = z.object({ p: z.string().regex(/^\d{1,64}$/) }).strict();

const encode = (payload: unknown): string => Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');

function decode<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError('malformed cursor', [{ field: 'querystring.cursor', message: 'must be a cursor returned by the API' }]);
  }
}

export type TimeCursor = { order: 'recent' | 'scheduled'; time: string; id: string };

export const encodeTimeCursor = (c: TimeCursor): string => encode({ k: c.order === 'recent' ? 'r' : 's', t: c.time, i: c.id });

export function decodeTimeCursor(cursor: string, order: TimeCursor['order']): TimeCursor {
  const p = decode(cursor, timePayload);
  const decoded: TimeCursor = { order: p.k === 'r' ? 'recent' : 'scheduled', time: p.t, id: p.i };
  if (decoded.order !== order) throw new ValidationError('cursor of another order', [{ field: 'querystring.cursor', message: 'this cursor belongs to another order' }]);
  return decoded;
}

export const encodePositionCursor = (position: string): string => encode({ p: position });
export const decodePositionCursor = (cursor: string): string => decode(cursor, positionPayload).p;
