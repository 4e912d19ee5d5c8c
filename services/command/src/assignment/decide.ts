import type { AvailabilityBody, RuleBody } from '@leadline/contracts';
import { ForbiddenError, NotFoundError, ValidationError } from '@leadline/platform';
import type { Actor, EventPayload } from '../events.ts';
import type { TeamState } from '../teams/team.ts';
import { canOwnLeads, type UserState } from '../users/user.ts';
import type { RuleSetState } from './ruleSet.ts';

type Ev = EventPayload<'AssignmentRuleSaved' | 'AssignmentRuleDeleted' | 'AssignmentRulesReordered' | 'UserAvailabilitySet' | 'UserCapacitySet' | 'TeamSaved'>;

export const isManager = (actor: Actor): boolean => actor.role === 'admin' || actor.role === 'manager';

export function assertManager(actor: Actor, what: string): void {
  if (!isManager(actor)) throw new ForbiddenError(`Only admins and managers ${what}`);
}

/** Rules refer to a team or a user that exists and may own leads; the wrong field is named. */
export function saveRule(
  actor: Actor,
  state: RuleSetState,
  ruleId: string,
  body: RuleBody,
  refs: { team: TeamState | null; user: UserState | null },
  mustExist: boolean,
): Ev[] {
  assertManager(actor, 'manage assignment rules');
  if (mustExist && !state.rules.has(ruleId)) throw new NotFoundError(`Rule ${ruleId} not found`);
  const errors: { field: string; message: string }[] = [];
  const needsTeam = body.assignmentType !== 'specific_user';
  if (needsTeam && (!refs.team || refs.team.status !== 'active')) errors.push({ field: 'body.teamId', message: `team ${body.teamId} does not exist` });
  if (!needsTeam && (!refs.user || !canOwnLeads(refs.user))) errors.push({ field: 'body.userId', message: `user ${body.userId} does not exist or may not own leads` });
  if (errors.length) throw new ValidationError('The rule refers to something that does not exist', errors);
  const data = {
    ruleId,
    name: body.name,
    priority: body.priority,
    isActive: body.isActive,
    conditions: body.conditions,
    assignmentType: body.assignmentType,
    teamId: needsTeam ? (body.teamId ?? null) : null,
    userId: needsTeam ? null : (body.userId ?? null),
  };
  return [{ type: 'AssignmentRuleSaved', data }];
}

export function deleteRule(actor: Actor, state: RuleSetState, ruleId: string): Ev[] {
  assertManager(actor, 'manage assignment rules');
  if (!state.rules.has(ruleId)) throw new NotFoundError(`Rule ${ruleId} not found`);
  return [{ type: 'AssignmentRuleDeleted', data: { ruleId } }];
}

/** A reorder names every rule once: priorities become 10, 20, 30... in that order. */
export function reorderRules(actor: Actor, state: RuleSetState, ruleIds: string[]): Ev[] {
  assertManager(actor, 'manage assignment rules');
  const unknown = ruleIds.map((id, i) => [id, i] as const).filter(([id]) => !state.rules.has(id));
  const errors = unknown.map(([id, i]) => ({ field: `body.ruleIds.${i}`, message: `rule ${id} does not exist` }));
  if (new Set(ruleIds).size !== ruleIds.length) errors.push({ field: 'body.ruleIds', message: 'a rule is named twice' });
  if (!errors.length && ruleIds.length !== state.rules.size) errors.push({ field: 'body.ruleIds', message: `name every rule (${state.rules.size}) once` });
  if (errors.length) throw new ValidationError('Invalid rule order', errors);
  return [{ type: 'AssignmentRulesReordered', data: { ruleIds } }];
}

export function saveTeam(actor: Actor, team: TeamState, teamId: string, body: { name: string; memberIds: string[] }, members: UserState[], mustExist: boolean): Ev[] {
  assertManager(actor, 'manage teams');
  if (mustExist && team.status !== 'active') throw new NotFoundError(`Team ${teamId} not found`);
  const errors = members.flatMap((m, i) => (canOwnLeads(m) ? [] : [{ field: `body.memberIds.${i}`, message: `user ${body.memberIds[i]} does not exist or may not own leads` }]));
  if (new Set(body.memberIds).size !== body.memberIds.length) errors.push({ field: 'body.memberIds', message: 'a member is named twice' });
  if (errors.length) throw new ValidationError('Invalid team members', errors);
  if (team.status === 'active' && team.name === body.name && JSON.stringify(team.memberIds) === JSON.stringify(body.memberIds)) return [];
  return [{ type: 'TeamSaved', data: { teamId, name: body.name, memberIds: body.memberIds } }];
}

/** A user sets their own availability (check in/out); admins and managers set anyone's. */
export function setAvailability(actor: Actor, user: UserState, userId: string, body: AvailabilityBody): Ev[] {
  if (actor.userId !== userId) assertManager(actor, "set another user's availability");
  if (user.status !== 'active') throw new NotFoundError(`User ${userId} not found`);
  return [{ type: 'UserAvailabilitySet', data: { userId, status: body.status, from: body.from ?? null, until: body.until ?? null } }];
}

export function setCapacity(actor: Actor, user: UserState, userId: string, maxOpenLeads: number | null): Ev[] {
  assertManager(actor, 'set capacities');
  if (user.status !== 'active') throw new NotFoundError(`User ${userId} not found`);
  return [{ type: 'UserCapacitySet', data: { userId, maxOpenLeads } }];
}
