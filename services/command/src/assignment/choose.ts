import { isAwayAt, type Availability } from './availability.ts';
import { evaluate, type RoutableLead } from './conditions.ts';
import { inPriorityOrder, type Rule } from './ruleSet.ts';

export type Candidate = { userId: string; name: string; canOwn: boolean; availability: Availability; openLeads: number };

export type RoutingFacts = {
  /** The instant availability is judged at: the lead's creation time. */
  at: string;
  members(teamId: string): string[] | undefined;
  candidate(userId: string): Candidate | undefined;
  /** The member who took the rule's last turn. */
  lastTurn(ruleId: string): string | null;
};

export type RoutingDecision =
  | { outcome: 'assigned'; rule: Rule; ownerId: string; matched: string[]; reason: string; takesTurn: boolean }
  | { outcome: 'unassigned'; rule: null; ownerId: null; matched: string[]; reason: string };

type Pick = { userId: string; why: string } | { userId: null; why: string };

function ineligibility(c: Candidate | undefined, userId: string, at: string): string | null {
  if (!c || !c.canOwn) return `${c?.name ?? userId} may not own leads`;
  if (isAwayAt(c.availability, at)) return `${c.name} is away${c.availability.until ? ` until ${c.availability.until}` : ''}`;
  const cap = c.availability.maxOpenLeads;
  if (cap !== null && c.openLeads >= cap) return `${c.name} is at capacity (${c.openLeads}/${cap} open leads)`;
  return null;
}

/** Members in team order, starting after the one who took the last turn. */
function inTurnOrder(memberIds: string[], last: string | null): string[] {
  const start = last === null ? 0 : memberIds.indexOf(last) + 1;
  return [...memberIds.slice(start), ...memberIds.slice(0, start)];
}

export function pickMember(rule: Rule, facts: RoutingFacts): Pick {
  if (rule.assignmentType === 'specific_user') {
    const userId = rule.userId ?? '';
    const no = ineligibility(facts.candidate(userId), userId, facts.at);
    return no ? { userId: null, why: no } : { userId, why: `assigned to ${facts.candidate(userId)?.name}` };
  }
  const members = rule.teamId ? facts.members(rule.teamId) : undefined;
  if (!members) return { userId: null, why: 'its team no longer exists' };
  if (members.length === 0) return { userId: null, why: 'its team has no members' };
  const ordered = inTurnOrder(members, facts.lastTurn(rule.id));
  const reasons: string[] = [];
  const eligible: Candidate[] = [];
  for (const id of ordered) {
    const no = ineligibility(facts.candidate(id), id, facts.at);
    if (no) reasons.push(no);
    else eligible.push(facts.candidate(id) as Candidate);
  }
  if (eligible.length === 0) return { userId: null, why: `no eligible member (${reasons.join('; ')})` };
  if (rule.assignmentType === 'round_robin') return { userId: eligible[0].userId, why: `round robin: next in turn is ${eligible[0].name}` };
  // Least loaded; among equals, the turn order, so a burst of leads (read model not yet caught up) still spreads.
  const least = eligible.reduce((best, c) => (c.openLeads < best.openLeads ? c : best), eligible[0]);
  return { userId: least.userId, why: `least loaded member of the team: ${least.name} (${least.openLeads} open leads)` };
}

/** Rules that are active and whose conditions hold, in priority order, with what matched. */
export function matchingRules(rules: Iterable<Rule>, lead: RoutableLead): { rule: Rule; matched: string[] }[] {
  const out: { rule: Rule; matched: string[] }[] = [];
  for (const rule of inPriorityOrder(rules)) {
    if (!rule.isActive) continue;
    const r = evaluate(rule.conditions, lead);
    if (r.matched) out.push({ rule, matched: r.conditions });
  }
  return out;
}

/**
 * Rules in priority order: the first that matches and has an eligible user wins. Pure: every fact
 * (membership, availability, load, whose turn it is) is given.
 */
export function decideRouting(rules: Iterable<Rule>, lead: RoutableLead, facts: RoutingFacts): RoutingDecision {
  const matches = matchingRules(rules, lead);
  if (matches.length === 0) return { outcome: 'unassigned', rule: null, ownerId: null, matched: [], reason: 'no active rule matched the lead' };
  const skipped: string[] = [];
  for (const { rule, matched } of matches) {
    const pick = pickMember(rule, facts);
    if (pick.userId !== null)
      return { outcome: 'assigned', rule, ownerId: pick.userId, matched, reason: `rule "${rule.name}" matched; ${pick.why}`, takesTurn: rule.assignmentType !== 'specific_user' };
    skipped.push(`rule "${rule.name}" matched but ${pick.why}`);
  }
  return { outcome: 'unassigned', rule: null, ownerId: null, matched: [], reason: skipped.join('; ') };
}
