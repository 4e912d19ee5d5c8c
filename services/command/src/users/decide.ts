import type { Role } from '@leadline/contracts';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@leadline/platform';
import type { CommandMetadata, EventPayload } from '../events.ts';
import type { EmailReservationState, ExistingUser, UserState } from './user.ts';

export type ReserveEmail = { type: 'ReserveEmail'; data: { userId: string; email: string }; metadata: CommandMetadata };

export type CreateUser = { type: 'CreateUser'; data: { userId: string; email: string; name: string; role: Role }; metadata: CommandMetadata };

/** What the handler read for the "last admin" rule: enabled admins other than the user changed. */
export type AdminCount = { otherEnabledAdmins: number };

export type UpdateUser = {
  type: 'UpdateUser';
  data: { userId: string; name: string; role: Role; teamId: string | null };
  context: AdminCount & { teamExists: boolean };
  metadata: CommandMetadata;
};

export type DisableUser = { type: 'DisableUser'; data: { userId: string }; context: AdminCount; metadata: CommandMetadata };
export type EnableUser = { type: 'EnableUser'; data: { userId: string }; metadata: CommandMetadata };

/** A user's own name and time zone (any role; an admin renames others with UpdateUser). */
export type UpdateProfile = { type: 'UpdateProfile'; data: { userId: string; name: string; timeZone: string | null }; metadata: CommandMetadata };

/** The password itself never reaches the decider or the log: only that it changed, and how. */
export type ChangePassword = { type: 'ChangePassword'; data: { userId: string }; metadata: CommandMetadata };
export type ResetPassword = { type: 'ResetPassword'; data: { userId: string }; metadata: CommandMetadata };

export type UserEvent = EventPayload<'UserCreated' | 'UserEmailReserved' | 'UserUpdated' | 'UserProfileChanged' | 'RoleChanged' | 'UserDisabled' | 'UserEnabled' | 'UserPasswordChanged'>;

const requireAdmin = (metadata: CommandMetadata): void => {
  if (metadata.actor.role !== 'admin') throw new ForbiddenError('Only admins manage users');
};

const existing = (state: UserState, userId: string): ExistingUser => {
  if (state.status !== 'active') throw new NotFoundError(`User ${userId} not found`);
  return state;
};

const isLastAdmin = (user: ExistingUser, count: AdminCount): boolean => user.role === 'admin' && !user.disabled && count.otherEnabledAdmins === 0;

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
  const { userId, email, name, role } = command.data;
  return [{ type: 'UserCreated', data: { userId, email, name, role } }];
}

/** Name and home team in one UserUpdated, a new role as RoleChanged; only what actually changes. */
export function updateUser(command: UpdateUser, state: UserState): UserEvent[] {
  requireAdmin(command.metadata);
  const { userId, name, role, teamId } = command.data;
  const user = existing(state, userId);
  if (teamId !== null && teamId !== user.teamId && !command.context.teamExists)
    throw new ValidationError('Unknown team', [{ field: 'body.teamId', message: `team ${teamId} does not exist` }]);
  if (role !== user.role && isLastAdmin(user, command.context)) throw new IllegalStateError('last-admin', 'The last enabled admin must stay an admin; make someone else an admin first');
  const events: UserEvent[] = [];
  if (name !== user.name || teamId !== user.teamId) events.push({ type: 'UserUpdated', data: { userId, name, teamId } });
  if (role !== user.role) events.push({ type: 'RoleChanged', data: { userId, from: user.role, to: role } });
  return events;
}

export function updateProfile(command: UpdateProfile, state: UserState): UserEvent[] {
  const { userId, name, timeZone } = command.data;
  if (command.metadata.actor.userId !== userId) throw new ForbiddenError('You can change only your own profile');
  const user = existing(state, userId);
  if (user.disabled) throw new ForbiddenError('This account is disabled');
  if (name === user.name && timeZone === user.timeZone) return [];
  return [{ type: 'UserProfileChanged', data: { userId, name, timeZone } }];
}

export function disableUser(command: DisableUser, state: UserState): UserEvent[] {
  requireAdmin(command.metadata);
  const { userId } = command.data;
  const user = existing(state, userId);
  if (user.disabled) return [];
  if (command.metadata.actor.userId === userId) throw new IllegalStateError('cannot-disable-self', 'You cannot disable yourself; ask another admin');
  if (isLastAdmin(user, command.context)) throw new IllegalStateError('last-admin', 'The last enabled admin cannot be disabled');
  return [{ type: 'UserDisabled', data: { userId } }];
}

export function enableUser(command: EnableUser, state: UserState): UserEvent[] {
  requireAdmin(command.metadata);
  const user = existing(state, command.data.userId);
  return user.disabled ? [{ type: 'UserEnabled', data: { userId: user.id } }] : [];
}

export function changePassword(command: ChangePassword, state: UserState): UserEvent[] {
  const { userId } = command.data;
  if (command.metadata.actor.userId !== userId) throw new ForbiddenError('You can change only your own password');
  const user = existing(state, userId);
  if (user.disabled) throw new ForbiddenError('This account is disabled');
  return [{ type: 'UserPasswordChanged', data: { userId, reset: false } }];
}

export function resetPassword(command: ResetPassword, state: UserState): UserEvent[] {
  requireAdmin(command.metadata);
  const user = existing(state, command.data.userId);
  return [{ type: 'UserPasswordChanged', data: { userId: user.id, reset: true } }];
}

export type UserCommand = ReserveEmail | CreateUser | UpdateUser | UpdateProfile | DisableUser | EnableUser | ChangePassword | ResetPassword;

export function decide(command: UserCommand, state: { user: UserState; reservation: EmailReservationState }): UserEvent[] {
  switch (command.type) {
    case 'ReserveEmail':
      return reserveEmail(command, state.reservation);
    case 'CreateUser':
      return createUser(command, state.user);
    case 'UpdateUser':
      return updateUser(command, state.user);
    case 'UpdateProfile':
      return updateProfile(command, state.user);
    case 'DisableUser':
      return disableUser(command, state.user);
    case 'EnableUser':
      return enableUser(command, state.user);
    case 'ChangePassword':
      return changePassword(command, state.user);
    case 'ResetPassword':
      return resetPassword(command, state.user);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown user command ${JSON.stringify(_exhaustive)}`);
    }
  }
}
