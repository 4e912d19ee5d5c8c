import type { Role } from '@leadline/contracts';
import type { EventPayload } from '../events.ts';

export type UserState =
  | { status: 'none' }
  | { status: 'active'; id: string; email: string; name: string; role: Role; passwordHash: string };

export const initialState: UserState = { status: 'none' };

export const userEventTypes = ['UserCreated'] as const;
export type UserStreamEvent = EventPayload<(typeof userEventTypes)[number]>;

export function evolve(state: UserState, event: UserStreamEvent): UserState {
  // A user stream holds one event type: a single-member union cannot be narrowed to never.
  return event.type === 'UserCreated' ? { status: 'active', id: event.data.userId, email: event.data.email, name: event.data.name, role: event.data.role, passwordHash: event.data.passwordHash } : state;
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

export const canOwnLeads = (user: UserState): boolean => user.status === 'active' && ownerRoles.includes(user.role);
