import type { Role } from '@leadline/contracts';
import { ConflictError, ForbiddenError } from '@leadline/platform';
import type { CommandMetadata, EventPayload } from '../events.ts';
import type { EmailReservationState, UserState } from './user.ts';

export type ReserveEmail = { type: 'ReserveEmail'; data: { userId: string; email: string }; metadata: CommandMetadata };

export type CreateUser = {
  type: 'CreateUser';
  data: { userId: string; email: string; name: string; role: Role; passwordHash: string };
  metadata: CommandMetadata;
};

export type UserEvent = EventPayload<'UserCreated' | 'UserEmailReserved'>;

const requireAdmin = (metadata: CommandMetadata): void => {
  if (metadata.actor.role !== 'admin') throw new ForbiddenError('Only admins manage users');
};

/** Reserving again for the same user is a no-op, so a retried user creation can finish. */
export function reserveEmail(command: ReserveEmail, state: EmailReservationState): UserEvent[] {
  requireAdmin(command.metadata);
  if (state.reservedBy === command.data.userId) return [];
  if (state.reservedBy !== null) throw new ConflictError('email already in use', { rule: 'email-taken' });
  return [{ type: 'UserEmailReserved', data: { userId: command.data.userId, email: command.data.email } }];
}

export function createUser(command: CreateUser, state: UserState): UserEvent[] {
  requireAdmin(command.metadata);
  if (state.status !== 'none') throw new ConflictError(`User ${command.data.userId} already exists`);
  const { userId, email, name, role, passwordHash } = command.data;
  return [{ type: 'UserCreated', data: { userId, email, name, role, passwordHash } }];
}

export type UserCommand = ReserveEmail | CreateUser;

export function decide(command: UserCommand, state: { user: UserState; reservation: EmailReservationState }): UserEvent[] {
  switch (command.type) {
    case 'ReserveEmail':
      return reserveEmail(command, state.reservation);
    case 'CreateUser':
      return createUser(command, state.user);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown user command ${JSON.stringify(_exhaustive)}`);
    }
  }
}
