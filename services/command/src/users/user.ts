import type { Role } from '@leadline/contracts';
import type { EventPayload } from '../events.ts';

export type UserState =
  | { status: 'none' }
  | { status: 'active'; id: string; email: string; name: string; role: Role; passwordHash: string };

export const initialState: UserState = { status: 'none' };

export function evolve(state: UserState, event: EventPayload): UserState {
  switch (event.type) {
    case 'UserCreated':
      return { status: 'active', id: event.data.userId, email: event.data.email, name: event.data.name, role: event.data.role, passwordHash: event.data.passwordHash };
    case 'UserEmailReserved':
    case 'ActivityLogged':
    case 'ActivityUpdated':
    case 'ActivityCompleted':
    case 'ActivityDeleted':
    case 'ActivityTemplateSaved':
    case 'ActivityTemplateDeleted':
    case 'TeamSaved':
    case 'UserAvailabilitySet':
    case 'UserCapacitySet':
    case 'AssignmentRuleSaved':
    case 'AssignmentRuleDeleted':
    case 'AssignmentRulesReordered':
    case 'RoundRobinTurnTaken':
    case 'LeadRouted':
    case 'LeadsRedistributed':
    case 'RedistributionUndone':
    case 'PipelineCreated':
    case 'StageAdded':
    case 'StageUpdated':
    case 'StagesReordered':
    case 'StageDeleted':
    case 'PipelineRenamed':
    case 'PipelineArchived':
    case 'LostReasonsSet':
    case 'LeadDealValueChanged':
    case 'LeadExpectedCloseDateChanged':
    case 'LeadProbabilityChanged':
    case 'LeadCreated':
    case 'LeadDetailsUpdated':
    case 'LeadMovedToStage':
    case 'LeadAssigned':
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const userAggregate = { initialState, evolve };

/** The `useremail-<hash>` stream: which user an email address belongs to. */
export type EmailReservationState = { reservedBy: string | null };

export const initialReservation: EmailReservationState = { reservedBy: null };

export function evolveReservation(state: EmailReservationState, event: EventPayload): EmailReservationState {
  // The first reservation holds: the stream is created with no_stream, so a second one is never appended.
  if (event.type === 'UserEmailReserved' && state.reservedBy === null) return { reservedBy: event.data.userId };
  return state;
}

export const reservationAggregate = { initialState: initialReservation, evolve: evolveReservation };

export const ownerRoles: readonly Role[] = ['admin', 'manager', 'rep'];

export const canOwnLeads = (user: UserState): boolean => user.status === 'active' && ownerRoles.includes(user.role);
