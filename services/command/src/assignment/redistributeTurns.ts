import type { EventStore } from '@leadline/eventstore';
import type { CommandMetadata } from '../events.ts';
import { deterministicId } from '../ids.ts';
import { decideRouting, type Candidate } from './choose.ts';
import type { RoutableLead } from './conditions.ts';
import type { Rule } from './ruleSet.ts';
import { takeTurn } from './turns.ts';

/** What attribution needs of the plan's facts (a subset of `PlanFacts`). */
export type AttributionFacts = {
  at: string;
  rules: Rule[];
  members: Map<string, string[] | undefined>;
  candidates: Map<string, Candidate>;
  sources: Set<string>;
};
export type ConfirmedMove = { leadId: string; fromUserId: string; toUserId: string; fields: RoutableLead };
export type Attribution = { ruleId: string | null; ruleName: string | null };

/**
 * Which rule routes each confirmed move, pure: the rule the plan would use for the lead now (the
 * first that matches and has an eligible user, relieved users excluded, loads counting the moves
 * before it), kept only when the confirmed target is one that rule may give the lead to (its user,
 * or a member of its team). A move to someone the rule would not choose is attributed to no rule.
 */
export function attributeMoves(moves: ConfirmedMove[], facts: AttributionFacts): Attribution[] {
  const load = new Map([...facts.candidates].map(([id, c]) => [id, c.openLeads]));
  const members = (teamId: string) => facts.members.get(teamId)?.filter((m) => !facts.sources.has(m));
  return moves.map((m) => {
    const decision = decideRouting(facts.rules, m.fields, {
      at: facts.at,
      members,
      candidate: (id) => {
        const c = facts.candidates.get(id);
        if (!c) return undefined;
        return facts.sources.has(id) ? { ...c, canOwn: false } : { ...c, openLeads: load.get(id) ?? 0 };
      },
      lastTurn: () => null,
    });
    load.set(m.toUserId, (load.get(m.toUserId) ?? 0) + 1);
    load.set(m.fromUserId, (load.get(m.fromUserId) ?? 1) - 1);
    if (decision.outcome !== 'assigned') return { ruleId: null, ruleName: null };
    const rule = decision.rule;
    const fits = rule.assignmentType === 'specific_user' ? rule.userId === m.toUserId : (members(rule.teamId ?? '') ?? []).includes(m.toUserId);
    return fits ? { ruleId: rule.id, ruleName: rule.name } : { ruleId: null, ruleName: null };
  });
}

/** The turn a move takes: round-robin and team rules keep a cursor (`roundrobin-<ruleId>`); a specific user has none. */
export function turnFor(rule: Rule | undefined): { ruleId: string; teamId: string } | null {
  if (!rule || rule.assignmentType === 'specific_user' || !rule.teamId) return null;
  return { ruleId: rule.id, teamId: rule.teamId };
}

/**
 * Advances the stored round-robin cursor for a move that was made: the target took the rule's turn,
 * so routing's next lead goes to the member after them, as if the lead had been routed now. The
 * turn's command id follows from the redistribution and the lead: confirming again takes no second turn.
 */
export async function takeRedistributionTurn(
  store: EventStore,
  args: { redistributionId: string; leadId: string; toUserId: string; turn: { ruleId: string; teamId: string }; metadata: Omit<CommandMetadata, 'commandId'> },
): Promise<void> {
  const metadata = { ...args.metadata, correlationId: args.redistributionId, commandId: deterministicId(`redistribution-turn:${args.redistributionId}:${args.leadId}`) };
  await takeTurn(store, { ruleId: args.turn.ruleId, teamId: args.turn.teamId, leadId: args.leadId, metadata }, () => args.toUserId);
}
