import type pg from 'pg';
import { ConcurrencyError } from '@leadline/platform';
import type { EventData } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import { loadAggregate, payloadOf, type CommandMetadata } from '../events.ts';
import { appendDecided, handleCommand } from '../handler.ts';
import { deterministicId } from '../ids.ts';
import { decide } from '../leads/decide.ts';
import { leadAggregate } from '../leads/lead.ts';
import { leadStream, loadUser } from '../reads.ts';
import { decideRouting, matchingRules, type RoutingDecision } from './choose.ts';
import { loadCandidates, loadRulesAsOf, loadTeamMembers } from './facts.ts';
import { takeTurn } from './turns.ts';

export const ROUTING_ACTOR = { userId: 'system:routing', role: 'admin' } as const;

export const routingStream = (leadId: string): string => `routing-${leadId}`;

/** What set routing off: the LeadCreated event (the process manager) or an auto-assign request. */
export type Trigger = {
  /** Every id of this routing derives from it: a replay issues the very same commands. */
  id: string;
  leadId: string;
  /** Rules, teams and availability are read as of this checkpoint; undefined = now. */
  asOf?: string;
  /** The instant availability is judged at. */
  at: string;
  correlationId: string;
  via: 'rule' | 'auto_assign';
  actor?: CommandMetadata['actor'];
};

export type RoutingOutcome =
  | { outcome: 'assigned'; ownerId: string; ruleName: string | null; reason: string; checkpoint: string }
  | { outcome: 'unassigned'; ownerId: null; ruleName: null; reason: string; checkpoint: string }
  | { outcome: 'skipped'; ownerId: null; ruleName: null; reason: string; checkpoint: string };

type Routed = EventData<'LeadRouted'>;

const metadataFor = (trigger: Trigger, step: string): CommandMetadata => ({
  commandId: deterministicId(`routing:${trigger.id}:${step}`),
  correlationId: trigger.correlationId,
  actor: trigger.actor ?? ROUTING_ACTOR,
  occurredAt: trigger.at,
});

async function decideFor(store: EventStore, pool: pg.Pool, trigger: Trigger, lead: Parameters<typeof matchingRules>[1]): Promise<RoutingDecision | null> {
  const rules = await loadRulesAsOf(store, trigger.asOf);
  if (!rules.some((r) => r.isActive)) return null;
  const matches = matchingRules(rules, lead);
  const teamIds = [...new Set(matches.map((m) => m.rule.teamId).filter((t): t is string => t !== null))];
  const teams = new Map(await Promise.all(teamIds.map(async (t) => [t, await loadTeamMembers(store, t, trigger.asOf)] as const)));
  const userIds = [...matches.flatMap((m) => (m.rule.userId ? [m.rule.userId] : [])), ...[...teams.values()].flatMap((m) => m ?? [])];
  const candidates = await loadCandidates(store, pool, userIds, trigger.asOf);
  const facts = { at: trigger.at, members: (id: string) => teams.get(id), candidate: (id: string) => candidates.get(id) };
  // Decide once without turns to find the winning rule, then take its turn (serialised), deciding again from the cursor read.
  const first = decideRouting(matches.map((m) => m.rule), lead, { ...facts, lastTurn: () => null });
  if (first.outcome !== 'assigned' || !first.takesTurn) return first;
  const rule = first.rule;
  let decision: RoutingDecision = first;
  const taken = await takeTurn(store, { ruleId: rule.id, teamId: rule.teamId as string, leadId: trigger.leadId, metadata: metadataFor(trigger, 'turn') }, (last) => {
    decision = decideRouting([rule], lead, { ...facts, lastTurn: () => last });
    return decision.ownerId;
  });
  // A replayed turn answers the member chosen the first time.
  if (taken !== null && decision.outcome === 'assigned' && decision.ownerId !== taken) decision = { ...decision, ownerId: taken };
  return decision;
}

/**
 * Routes one unassigned lead: decides once (the decision is kept in `routing-<leadId>`, first one
 * wins), then assigns with a command whose id follows from the trigger. Running it again for the
 * same trigger (a replay, a restart, a second process) changes nothing.
 */
export async function routeLead(store: EventStore, pool: pg.Pool, trigger: Trigger): Promise<RoutingOutcome> {
  const streamId = routingStream(trigger.leadId);
  const existing = await store.readStream(streamId);
  let routed: Routed | undefined = existing.length ? (payloadOf(existing[0]).data as Routed) : undefined;
  let checkpoint = existing[0]?.checkpoint ?? '';
  if (routed && trigger.via === 'auto_assign' && routed.outcome === 'unassigned') routed = undefined;
  if (!routed) {
    const lead = await loadAggregate(store, leadStream(trigger.leadId), leadAggregate);
    if (lead.state.status !== 'active') return { outcome: 'skipped', ownerId: null, ruleName: null, reason: 'the lead does not exist', checkpoint: '' };
    if (lead.state.ownerId !== null) return { outcome: 'skipped', ownerId: null, ruleName: null, reason: 'the lead already has an owner', checkpoint: lead.checkpoint };
    const decision = await decideFor(store, pool, trigger, lead.state.fields);
    if (!decision) return { outcome: 'skipped', ownerId: null, ruleName: null, reason: 'no active assignment rules', checkpoint: lead.checkpoint };
    routed = {
      leadId: trigger.leadId,
      triggerEventId: trigger.id,
      outcome: decision.outcome,
      ruleId: decision.rule?.id ?? null,
      ruleName: decision.rule?.name ?? null,
      ownerId: decision.ownerId,
      matched: decision.matched,
      reason: decision.reason,
    };
    const loaded = { streamId, state: null, version: existing.length, checkpoint, events: existing };
    try {
      checkpoint = (await appendDecided(store, loaded, [{ type: 'LeadRouted', data: routed }], metadataFor(trigger, `decision:${existing.length}`))).checkpoint;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      // Another process decided first: its decision holds.
      const winner = await store.readStream(streamId);
      routed = payloadOf(winner[winner.length - 1]).data as Routed;
      checkpoint = winner[winner.length - 1].checkpoint;
    }
  }
  if (routed.outcome !== 'assigned' || routed.ownerId === null) return { outcome: 'unassigned', ownerId: null, ruleName: null, reason: routed.reason, checkpoint };
  const ownerId = routed.ownerId;
  const decided = routed;
  const metadata = metadataFor(trigger, `assign:${decided.triggerEventId}`);
  const outcome = await handleCommand(store, {
    streamId: leadStream(trigger.leadId),
    aggregate: leadAggregate,
    metadata,
    decide: async (loaded) => {
      // Someone assigned the lead by hand in the meantime: routing only fills unassigned leads.
      if (loaded.state.status === 'active' && loaded.state.ownerId !== null) return [];
      const owner = await loadUser(store, ownerId);
      const how = { via: trigger.via, ruleId: decided.ruleId, ruleName: decided.ruleName, matched: decided.matched };
      return decide({ type: 'AssignLead', data: { leadId: trigger.leadId, ownerId, reason: decided.reason, how }, context: { owner }, metadata }, loaded.state);
    },
  });
  return { outcome: 'assigned', ownerId, ruleName: decided.ruleName, reason: decided.reason, checkpoint: outcome.checkpoint > checkpoint ? outcome.checkpoint : checkpoint };
}
