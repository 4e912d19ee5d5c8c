import type { FieldPolicy } from '@leadline/contracts';
import { ForbiddenError, ValidationError } from '@leadline/platform';
import type { Actor, EventPayload } from '../events.ts';

/**
 * An admin replaces the whole rule set. Team rules must name teams that exist; nothing else is
 * checked against the world (a rule about a custom field no lead has yet is the allowlist at work).
 */
export function changeFieldPolicy(actor: Actor, policy: FieldPolicy, existingTeamIds: ReadonlySet<string>): EventPayload<'FieldPolicyChanged'>[] {
  if (actor.role !== 'admin') throw new ForbiddenError('Only admins change field permissions');
  const unknownTeams = policy.rules.flatMap((r, i) => (r.teamId !== null && !existingTeamIds.has(r.teamId) ? [{ field: `body.rules.${i}.teamId`, message: `no team ${r.teamId}` }] : []));
  if (unknownTeams.length > 0) throw new ValidationError('A rule names a team that does not exist', unknownTeams);
  return [{ type: 'FieldPolicyChanged', data: { rules: policy.rules, customFields: policy.customFields } }];
}
