import { erasePersonal, hasPersonalValues, holdsPersonalData } from '@leadline/contracts';
import type { SealingEventStore } from '@leadline/eventstore';
import type pg from 'pg';
import { activityStream } from '../activities/routes.ts';
import type { IdempotencyStore } from '../idempotency.ts';
import { leadStream } from '../reads.ts';

export type Shredded = { rewrittenEvents: number; plaintextEventsLeft: number };

/** The lead's activities, from the read model (those stored before encryption were projected long ago). */
async function activityIds(pool: pg.Pool, leadId: string): Promise<string[]> {
  try {
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM read.activities WHERE lead_id = $1', [leadId]);
    return rows.map((r) => r.id);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return [];
    throw err;
  }
}

/**
 * What forgetting does besides its event, in this order: the data key is destroyed (nothing sealed
 * with it opens any more, and nothing is sealed for the lead again), the lead's events stored in
 * clear before encryption get their personal values overwritten in place (the one sanctioned edit
 * of the log), and the idempotency store forgets the requests that concern the lead. Idempotent:
 * a retry after a crash finishes what was left.
 */
export async function shredLead(deps: { pool: pg.Pool; idempotency: IdempotencyStore }, store: SealingEventStore, leadId: string): Promise<Shredded> {
  await store.keyring.erase(leadId);
  const activities = await activityIds(deps.pool, leadId);
  const streams = [leadStream(leadId), ...activities.map(activityStream)];
  // With the key gone, sealed events read as their placeholders: what still holds personal values was stored in clear.
  const clear = (await Promise.all(streams.map((s) => store.readStream(s)))).flat().filter((e) => holdsPersonalData(e.type) && hasPersonalValues(e.type, e.data));
  const rewritten = clear.length > 0 && store.rewriteData ? await store.rewriteData(clear.map((e) => ({ eventId: e.eventId, data: erasePersonal(e.type, e.data) }))) : 0;
  await deps.idempotency.purgeMentioning([leadId, ...activities]);
  return { rewrittenEvents: rewritten, plaintextEventsLeft: clear.length - rewritten };
}
