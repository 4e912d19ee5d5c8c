import type { Role } from '@leadline/contracts';
import type { EventPayload } from '../events.ts';

export type UserState =
  | { status: 'none' }
  | { status: 'active'; id: string; email: string; name: string; role: Role; teamId: string | null; disabled: boolean; timeZone: string | null };

export type ExistingUser = Extract<UserState, { status: 'active' }>;

export const initialState: UserState = { status: 'none' };

export const userEventTypes = ['UserCreated', 'UserUpdated', 'UserProfileChanged', 'RoleChanged', 'UserDisabled', 'UserEnabled', 'UserPasswordChanged'] as const;
export type UserStreamEvent = EventPayload<(typeof userEventTypes)[number]>;

export function evolve(state: UserState, event: UserStreamEvent): UserState {
  switch (event.type) {
    case 'UserCreated': {
      const { userId, email, name, role } = event.data;
      return { status: 'active', id: userId, email, name, role, teamId: null, disabled: false, timeZone: null };
    }
    case 'UserProfileChanged':
      return state.status === 'active' ? { ...state, name: event.data.name, timeZone: event.data.timeZone } : state;
    case 'UserUpdated':
      return state.status === 'active' ? { ...state, name: event.data.name, teamId: event.data.teamId } : state;
    case 'RoleChanged':
      return state.status === 'active' ? { ...state, role: event.data.to } : state;
    case 'UserDisabled':
      return state.status === 'active' ? { ...state, disabled: true } : state;
    case 'UserEnabled':
      return state.status === 'active' ? { ...state, disabled: false } : state;
    case 'UserPasswordChanged':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export const userAggregate = { initialState, eventTypes: userEventTypes, evolve };

/** The `useremail-<hash>` stream: which user an email address belongs to. */
export type EmailReservationState = { reservedBy: string | null };

export const initialReservation: EmailReservationState = { reservedBy: null };

export function evolveReservation(state: EmailReservationState, event: EventPayload): EmailReservationState {
  // The first reservation holds: the stream is created with no_stream, so a second one is never appended.
  if (event.type === 'UserEmailReserved' && state.reservedBy === null) return { reservedBy: event.data.userId };
  return state;
}

export const reservationAggregate = { initialState: initialReservation, eventTypes: ['UserEmailReserved'] as const, evolve: evolveReservation };

export const ownerRoles: readonly Role[] = ['admin', 'manager', 'rep'];

/** A disabled user keeps the leads they have but is given no new ones. */
export const canOwnLeads = (user: UserState): boolean => user.status === 'active' && !user.disabled && ownerRoles.includes(user.role);
