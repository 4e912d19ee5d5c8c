import type pg from 'pg';
import type { Role } from '../auth.ts';

export type Queryable = Pick<pg.ClientBase, 'query'>;

/** A user as sessions see them: the fold of the user's stream at `version`. */
export type Account = { userId: string; email: string; name: string; role: Role; teamId: string | null; disabled: boolean; version: number };

type AccountRow = { user_id: string; email: string; name: string; role: Role; team_id: string | null; disabled: boolean; version: number };

const fromRow = (r: AccountRow): Account => ({ userId: r.user_id, email: r.email, name: r.name, role: r.role, teamId: r.team_id, disabled: r.disabled, version: r.version });

/**
 * Writes the account if `version` is newer than the stored one (two writers racing, or a replay of
 * an older fold, never go backwards). Answers the row as it was before, and whether it was written.
 */
export async function saveAccount(db: Queryable, a: Account): Promise<{ previous: Account | null; written: boolean }> {
  const { rows } = await db.query<Partial<AccountRow> & { written: boolean }>(
    `WITH prior AS (SELECT * FROM cmd.accounts WHERE user_id = $1 FOR UPDATE),
          up AS (
            INSERT INTO cmd.accounts (user_id, email, name, role, team_id, disabled, version) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role, team_id = EXCLUDED.team_id,
              disabled = EXCLUDED.disabled, version = EXCLUDED.version, updated_at = now()
            WHERE cmd.accounts.version < EXCLUDED.version
            RETURNING 1)
     SELECT prior.*, EXISTS (SELECT 1 FROM up) AS written FROM (SELECT 1) AS one LEFT JOIN prior ON true`,
    [a.userId, a.email, a.name, a.role, a.teamId, a.disabled, a.version],
  );
  const row = rows[0];
  return { previous: row.user_id ? fromRow(row as AccountRow) : null, written: row.written };
}

export async function loadAccount(db: Queryable, userId: string): Promise<Account | null> {
  const { rows } = await db.query<AccountRow>('SELECT user_id, email, name, role, team_id, disabled, version FROM cmd.accounts WHERE user_id = $1', [userId]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Every account with its version: what a start-up check compares with the user streams. */
export async function listAccountVersions(db: Queryable): Promise<{ userId: string; version: number }[]> {
  const { rows } = await db.query<{ user_id: string; version: number }>('SELECT user_id, version FROM cmd.accounts');
  return rows.map((r) => ({ userId: r.user_id, version: r.version }));
}

/** Enabled admins other than `userId`: what "the last admin" rules count. */
export async function otherEnabledAdmins(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cmd.accounts WHERE role = 'admin' AND NOT disabled AND user_id <> $1`, [userId]);
  return rows[0].n;
}
