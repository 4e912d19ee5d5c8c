import type pg from 'pg';
import { PROJECTION_NAMES } from '@leadline/projector';

/** `npm run test:reliability` sets RELIABILITY_SCALE=full; inside `npm test` each scenario runs small. */
export const FULL = process.env.RELIABILITY_SCALE === 'full';
export const scale = <T>(small: T, full: T): T => (FULL ? full : small);

/** Each scenario prints what it tried and what it found, as numbers. */
export function report(scenario: string, figures: Record<string, number | string>): void {
  const line = Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(`[reliability ${FULL ? 'full' : 'small'}] ${scenario}: ${line}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Events that commands appended. Audit events are left out: the chainer appends them in the background
 * (a sign-in's audit event may land in the middle of a measurement), and they are not a command's effect.
 */
export async function eventCount(pool: pg.Pool): Promise<number> {
  return (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM es.events WHERE type NOT IN ('AuditRecorded', 'AuditStreamOpened')`)).rows[0].n;
}

/** Waits until every projection exists in projector.projections and has reached the checkpoint. */
export async function waitForProjections(pool: pg.Pool, checkpoint: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool
      .query<{ done: number }>(`SELECT count(*)::int AS done FROM projector.projections WHERE name = ANY($2::text[]) AND checkpoint >= $1`, [checkpoint, PROJECTION_NAMES])
      .catch(() => ({ rows: [{ done: 0 }] }));
    if (rows[0].done === PROJECTION_NAMES.length) return;
    if (Date.now() > deadline) throw new Error(`projections did not reach ${checkpoint} in ${timeoutMs} ms`);
    await sleep(20);
  }
}

export async function headCheckpoint(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ cp: string }>(
    `SELECT lpad(transaction_id::text, 20, '0') || lpad(global_position::text, 20, '0') AS cp FROM es.events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  return rows[0]?.cp ?? '';
}

/** The default pipeline's stages, once the projector has built them (right after start it may not have yet). */
export async function stagesOf<S>(api: (method: string, url: string, token: string) => Promise<{ body: S[] }>, token: string): Promise<S[]> {
  for (let i = 0; i < 500; i++) {
    const { body } = await api('GET', '/api/pipeline/stages', token);
    if (Array.isArray(body) && body.length >= 6) return body;
    await sleep(20);
  }
  throw new Error('the stages never appeared');
}
