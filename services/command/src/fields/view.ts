import { buildFieldView, type FieldView } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import type pg from 'pg';
import type { Actor } from '../events.ts';
import { loadFieldPolicy } from '../settings/fieldPolicy.ts';

/**
 * Team memberships from the read model (`read.teams` members, and home teams from `read.users`):
 * only rules narrowed to other teams or a team need them. A membership change therefore applies to writes once projected (milliseconds);
 * without the read model every other owner counts as of another team (the stricter reading).
 */
async function readTeams(pool: pg.Pool): Promise<Map<string, string[]>> {
  try {
    const [teams, homes] = await Promise.all([
      pool.query<{ id: string; member_ids: string[] }>('SELECT id, member_ids FROM read.teams'),
      pool.query<{ id: string; team_id: string }>('SELECT id, team_id FROM read.users WHERE team_id IS NOT NULL'),
    ]);
    const byUser = new Map<string, string[]>();
    const join = (userId: string, teamId: string) => byUser.set(userId, [...new Set([...(byUser.get(userId) ?? []), teamId])]);
    for (const team of teams.rows) for (const member of team.member_ids) join(member, team.id);
    for (const user of homes.rows) join(user.id, user.team_id);
    return byUser;
  } catch (err) {
    const code = (err as { code?: string }).code;
    // No read model yet (42P01, 3F000) or a users table without team_id (42703).
    if (code === '42P01' || code === '3F000' || code === '42703') return new Map();
    throw err;
  }
}

/** What the actor may write, per field and lead: the policy stream (cached fold plus tail) and, when rules need them, team memberships. */
export async function loadFieldView(store: EventStore, pool: pg.Pool, actor: Actor): Promise<FieldView> {
  const policy = await loadFieldPolicy(store);
  const needsTeams = actor.role !== 'admin' && policy.rules.some((r) => r.role === actor.role && r.leads !== 'all');
  const teams = needsTeams ? await readTeams(pool) : new Map<string, string[]>();
  const teamsOf = (userId: string) => teams.get(userId) ?? [];
  return buildFieldView(policy, { userId: actor.userId, role: actor.role, teamIds: teamsOf(actor.userId) }, teamsOf);
}
