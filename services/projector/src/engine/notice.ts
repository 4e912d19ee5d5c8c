import { CHANGE_CHANNEL, type ChangeNotice } from '@leadline/contracts';
import type { Queryable } from './types.ts';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep a margin. */
export const MAX_NOTICE_BYTES = 7500;

export type Change = { view: string; key: string };

export class ChangeSet {
  private readonly keys = new Map<string, Change>();

  add(view: string, key: string): void {
    this.keys.set(`${view}\u0000${key}`, { view, key });
  }

  addAll(changes: Iterable<Change>): void {
    for (const c of changes) this.add(c.view, c.key);
  }

  list(): Change[] {
    return [...this.keys.values()];
  }
}

/** The NOTIFY payload; without `changes` when listing them would exceed the limit (listeners then refetch). */
export function changeNoticePayload(projection: string, checkpoint: string, changes: Change[] | undefined): string {
  const notice: ChangeNotice = changes ? { projection, checkpoint, changes } : { projection, checkpoint };
  const full = JSON.stringify(notice);
  if (Buffer.byteLength(full, 'utf8') <= MAX_NOTICE_BYTES) return full;
  return JSON.stringify({ projection, checkpoint } satisfies ChangeNotice);
}

/** NOTIFY inside the caller's transaction: PostgreSQL delivers it only when that transaction commits. */
export async function publishChangeNotice(db: Queryable, projection: string, checkpoint: string, changes: Change[] | undefined): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, changeNoticePayload(projection, checkpoint, changes)]);
}
