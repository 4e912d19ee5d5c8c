import { buildFieldView, type FieldView } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import type pg from 'pg';
import type { Actor } from '../events.ts';
import { loadFieldPolicy } from '../settings/fieldPolicy.ts';

/**
 * Team memberships from the read model (`read.teams`): only rules narrowed to other teams or a
 * team need them. A membership change therefore applies to writes once projected (milliseconds);
 * without the read model every other owner counts as of another team (the stricter reading).
 */
async function readTeams(pool: pg.Pool): Promise<Map<string, string[]>> {
  try {
    const { rows } = await pool.query<{ id: string; member_ids: string[] }>('SELECT id, member_ids FROM read.teams');
    const byUser = new Map<string, string[]>();
    for (const team of rows) for (const member of team.member_ids) byUser.set(member, [...(byUser.get(member) ?? []), team.id]);
    return byUser;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return new Map();
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
