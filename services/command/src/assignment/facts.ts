import type pg from 'pg';
import type { EventStore, StoredEvent } from '@leadline/eventstore';
import { payloadOf } from '../events.ts';
import { loadUser } from '../reads.ts';
import { teamAggregate, teamStream, type TeamState } from '../teams/team.ts';
import { canOwnLeads } from '../users/user.ts';
import { availabilityStream, evolveAvailability, initialAvailability, type Availability } from './availability.ts';
import type { Candidate } from './choose.ts';
import { RULES_STREAM, ruleSetAggregate, type Rule } from './ruleSet.ts';

/** Only events at or before `asOf` (a checkpoint): a replayed decision sees what the first one saw. */
const upTo = (events: StoredEvent[], asOf: string | undefined) => (asOf === undefined ? events : events.filter((e) => e.checkpoint <= asOf));

/**
 * The routing fact streams (rules, teams, users' routing settings) read incrementally: events are
 * immutable, so what was read stays valid and only newer events are fetched. Every routing reads
 * the 200-rule stream; this turns that into a query returning nothing new.
 */
const streamCache = new WeakMap<EventStore, Map<string, StoredEvent[]>>();
const CACHED_STREAMS = 2000;
async function readCached(store: EventStore, streamId: string): Promise<StoredEvent[]> {
  let cache = streamCache.get(store);
  if (!cache) streamCache.set(store, (cache = new Map()));
  const known = cache.get(streamId) ?? [];
  const fresh = await store.readStream(streamId, { fromVersion: known.length ? known[known.length - 1].streamVersion : 0 });
  if (fresh.length === 0 && cache.has(streamId)) return known;
  const all = fresh.length ? [...known, ...fresh] : known;
  if (cache.size >= CACHED_STREAMS) cache.clear();
  cache.set(streamId, all);
  return all;
}

export async function loadRulesAsOf(store: EventStore, asOf?: string): Promise<Rule[]> {
  const events = upTo(await readCached(store, RULES_STREAM), asOf);
  return [...events.reduce((s, e) => ruleSetAggregate.evolve(s, payloadOf(e)), ruleSetAggregate.initialState).rules.values()];
}

export async function loadTeamMembers(store: EventStore, teamId: string, asOf?: string): Promise<string[] | undefined> {
  const events = upTo(await readCached(store, teamStream(teamId)), asOf);
  const team = events.reduce<TeamState>((s, e) => teamAggregate.evolve(s, payloadOf(e)), teamAggregate.initialState);
  return team.status === 'active' ? team.memberIds : undefined;
}

export async function loadAvailability(store: EventStore, userId: string, asOf?: string): Promise<Availability> {
  const events = upTo(await readCached(store, availabilityStream(userId)), asOf);
  return events.reduce((s, e) => evolveAvailability(s, payloadOf(e), e.metadata.occurredAt as string), initialAvailability);
}

/**
 * Open leads per owner from the read model. A load figure, not a guarantee: a burst of new leads is
 * counted once the projector catches up, so a cap can be passed by the leads routed in that gap.
 */
export async function openLeadCounts(pool: pg.Pool, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  try {
    const { rows } = await pool.query<{ owner_id: string; n: number }>(
      `SELECT l.owner_id, count(*)::int AS n FROM read.leads l JOIN read.stages s ON s.id = l.stage_id
       WHERE l.owner_id = ANY($1::uuid[]) AND NOT s.is_won AND NOT s.is_lost GROUP BY l.owner_id`,
      [userIds],
    );
    return new Map(rows.map((r) => [r.owner_id, r.n]));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return new Map();
    throw err;
  }
}

export async function loadCandidates(store: EventStore, pool: pg.Pool, userIds: string[], asOf?: string): Promise<Map<string, Candidate>> {
  const unique = [...new Set(userIds)];
  const [users, availability, open] = await Promise.all([
    Promise.all(unique.map((id) => loadUser(store, id))),
    Promise.all(unique.map((id) => loadAvailability(store, id, asOf))),
    openLeadCounts(pool, unique),
  ]);
  return new Map(
    unique.map((id, i) => {
      const user = users[i];
      return [id, { userId: id, name: user.status === 'active' ? user.name : id, canOwn: canOwnLeads(user), availability: availability[i], openLeads: open.get(id) ?? 0 }];
    }),
  );
}
