import type pg from 'pg';
import { LEAD_CARDS } from '../projections.ts';
import { UNASSIGNED } from './ownerIndex.ts';

const MISSING = new Set(['42P01', '3F000']);

/**
 * Every lead an owner key has, with the lead_cards checkpoint of the same snapshot (the
 * projection writes rows and checkpoint in one transaction, so the two agree). Null before
 * the projector has created its tables.
 */
export async function readOwnedLeads(pool: pg.Pool, key: string): Promise<{ leadIds: string[]; checkpoint: string } | null> {
  const db = await pool.connect();
  try {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const at = await db.query<{ checkpoint: string | null }>('SELECT checkpoint FROM projector.projections WHERE name = $1', [LEAD_CARDS]);
    const leads =
      key === UNASSIGNED
        ? await db.query<{ id: string }>('SELECT id FROM read.leads WHERE owner_id IS NULL')
        : await db.query<{ id: string }>('SELECT id FROM read.leads WHERE owner_id = $1::uuid', [key]);
    await db.query('COMMIT');
    return at.rows[0] ? { leadIds: leads.rows.map((r) => r.id), checkpoint: at.rows[0].checkpoint ?? '' } : null;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    if (MISSING.has((err as { code?: string }).code ?? '')) return null;
    throw err;
  } finally {
    db.release();
  }
}
