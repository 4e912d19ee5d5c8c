import { CHANGE_CHANNEL, type ChangeNotice } from '@leadline/contracts';
import type { Queryable } from './types.ts';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep a margin. */
export const MAX_NOTICE_BYTES = 7500;
/**
 * A batch whose keys need more notices than this (about 1,500 leads: catching up a backlog) sends
 * one notice without keys instead: listeners refetch once rather than load thousands of cards.
 */
export const MAX_NOTICE_PARTS = 16;

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

/**
 * The NOTIFY payloads of one batch, each under the limit: the changed keys split over as many
 * notices as they need (all with the batch's checkpoint), or one notice without `changes` when
 * there are none to list (`undefined`) or they would take more than MAX_NOTICE_PARTS notices.
 */
export function changeNoticePayloads(projection: string, checkpoint: string, changes: Change[] | undefined): string[] {
  const keyless = JSON.stringify({ projection, checkpoint } satisfies ChangeNotice);
  if (!changes) return [keyless];
  const envelope = Buffer.byteLength(JSON.stringify({ projection, checkpoint, changes: [] } satisfies ChangeNotice), 'utf8');
  const payloads: string[] = [];
  let part: Change[] = [];
  let size = envelope;
  const flush = () => {
    payloads.push(JSON.stringify({ projection, checkpoint, changes: part } satisfies ChangeNotice));
    part = [];
    size = envelope;
  };
  for (const change of changes) {
    const bytes = Buffer.byteLength(JSON.stringify(change), 'utf8') + 1;
    if (envelope + bytes > MAX_NOTICE_BYTES) return [keyless];
    if (size + bytes > MAX_NOTICE_BYTES) flush();
    part.push(change);
    size += bytes;
    if (payloads.length >= MAX_NOTICE_PARTS) return [keyless];
  }
  if (part.length > 0 || payloads.length === 0) flush();
  return payloads.length > MAX_NOTICE_PARTS ? [keyless] : payloads;
}

/** NOTIFY inside the caller's transaction (one round trip): PostgreSQL delivers the notices, in order, only when it commits. */
export async function publishChangeNotice(db: Queryable, projection: string, checkpoint: string, changes: Change[] | undefined): Promise<void> {
  const payloads = changeNoticePayloads(projection, checkpoint, changes);
  if (payloads.length === 1) await db.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payloads[0]]);
  else await db.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, i)', [CHANGE_CHANNEL, payloads]);
}
