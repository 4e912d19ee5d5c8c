import crypto from 'node:crypto';
import { describe, it } from 'vitest';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@leadline/platform';
import { applyEvent, type EventPayload } from '../events.ts';
import { deciderSpec } from '../testing/decider.ts';
import { metaFor } from '../testing/fixtures.ts';
import { decide, type UserCommand, type UserEvent } from './decide.ts';
import { initialReservation, initialState, reservationAggregate, userAggregate, type EmailReservationState, type UserState } from './user.ts';

type State = { user: UserState; reservation: EmailReservationState };
const spec = deciderSpec<UserCommand, State, UserEvent>({
  initialState: { user: initialState, reservation: initialReservation },
  evolve: (s, e: EventPayload) => ({ user: applyEvent(userAggregate, s.user, e), reservation: applyEvent(reservationAggregate, s.reservation, e) }),
  decide,
});

const userId = crypto.randomUUID();
const adminId = crypto.randomUUID();
const teamId = crypto.randomUUID();
const email = 'ada@example.com';
const asAdmin = metaFor(adminId, 'admin');
const asManager = metaFor(crypto.randomUUID(), 'manager');
const reserve = (id = userId, meta = asAdmin): UserCommand => ({ type: 'ReserveEmail', data: { userId: id, email }, metadata: meta });
const create = (meta = asAdmin): UserCommand => ({ type: 'CreateUser', data: { userId, email, name: 'Ada', role: 'rep' }, metadata: meta });
const reserved: UserEvent = { type: 'UserEmailReserved', data: { userId, email } };
const userCreated: UserEvent = { type: 'UserCreated', data: { userId, email, name: 'Ada', role: 'rep' } };
const adminCreated: UserEvent = { type: 'UserCreated', data: { userId, email, name: 'Ada', role: 'admin' } };
const disabled: UserEvent = { type: 'UserDisabled', data: { userId } };

const update = (data: { name?: string; role?: 'admin' | 'manager' | 'rep' | 'auditor' | 'analyst'; teamId?: string | null }, context = { otherEnabledAdmins: 1, teamExists: true }, meta = asAdmin): UserCommand => ({
  type: 'UpdateUser',
  data: { userId, name: data.name ?? 'Ada', role: data.role ?? 'rep', teamId: data.teamId === undefined ? null : data.teamId },
  context,
  metadata: meta,
});
const disable = (otherEnabledAdmins = 1, meta = asAdmin): UserCommand => ({ type: 'DisableUser', data: { userId }, context: { otherEnabledAdmins }, metadata: meta });
const enable = (meta = asAdmin): UserCommand => ({ type: 'EnableUser', data: { userId }, metadata: meta });

describe('ReserveEmail', () => {
  it('reserves a free email', () => {
    spec.given([]).when(reserve()).then([reserved]);
  });

  it('refuses an email reserved by another user', () => {
    spec.given([reserved]).when(reserve(crypto.randomUUID())).thenThrows(ConflictError, { message: 'email already in use' });
  });

  it('is a no-op for the user who holds it, so a retried creation can finish', () => {
    spec.given([reserved]).when(reserve()).then([]);
  });
});

describe('CreateUser', () => {
  it('creates the user, without any password material in the event', () => {
    spec.given([]).when(create()).then([userCreated]);
  });

  it('refuses an existing user id', () => {
    spec.given([userCreated]).when(create()).thenThrows(ConflictError);
  });

  it('is for admins only', () => {
    spec.given([]).when(create(asManager)).thenThrows(ForbiddenError);
    spec.given([]).when(reserve(userId, metaFor(crypto.randomUUID(), 'rep'))).thenThrows(ForbiddenError);
  });
});

describe('UpdateUser', () => {
  it('records a new name and team as UserUpdated and a new role as RoleChanged', () => {
    spec.given([userCreated]).when(update({ name: 'Ada L.', role: 'manager', teamId })).then([
      { type: 'UserUpdated', data: { userId, name: 'Ada L.', teamId } },
      { type: 'RoleChanged', data: { userId, from: 'rep', to: 'manager' } },
    ]);
  });

  it('appends only what changes, and nothing when nothing does', () => {
    spec.given([userCreated]).when(update({ role: 'analyst' })).then([{ type: 'RoleChanged', data: { userId, from: 'rep', to: 'analyst' } }]);
    spec.given([userCreated]).when(update({})).then([]);
  });

  it('refuses an unknown team, naming the field', () => {
    spec.given([userCreated]).when(update({ teamId }, { otherEnabledAdmins: 1, teamExists: false })).thenThrows(ValidationError, { errors: [{ field: 'body.teamId', message: `team ${teamId} does not exist` }] });
  });

  it('keeps the last enabled admin an admin', () => {
    spec.given([adminCreated]).when(update({ role: 'manager' }, { otherEnabledAdmins: 0, teamExists: true })).thenThrows(IllegalStateError, { rule: 'last-admin' });
    spec.given([adminCreated]).when(update({ role: 'manager' }, { otherEnabledAdmins: 1, teamExists: true })).then([{ type: 'RoleChanged', data: { userId, from: 'admin', to: 'manager' } }]);
    spec.given([adminCreated]).when(update({ name: 'Boss', role: 'admin' }, { otherEnabledAdmins: 0, teamExists: true })).then([{ type: 'UserUpdated', data: { userId, name: 'Boss', teamId: null } }]);
  });

  it('is for admins only, and 404 for a user who does not exist', () => {
    spec.given([userCreated]).when(update({ name: 'X' }, undefined, asManager)).thenThrows(ForbiddenError);
    spec.given([]).when(update({ name: 'X' })).thenThrows(NotFoundError);
  });
});

describe('DisableUser and EnableUser', () => {
  it('disables and enables, each once', () => {
    spec.given([userCreated]).when(disable()).then([disabled]);
    spec.given([userCreated, disabled]).when(disable()).then([]);
    spec.given([userCreated, disabled]).when(enable()).then([{ type: 'UserEnabled', data: { userId } }]);
    spec.given([userCreated]).when(enable()).then([]);
  });

  it('refuses to disable yourself or the last enabled admin', () => {
    spec.given([adminCreated]).when(disable(1, metaFor(userId, 'admin'))).thenThrows(IllegalStateError, { rule: 'cannot-disable-self' });
    spec.given([adminCreated]).when(disable(0)).thenThrows(IllegalStateError, { rule: 'last-admin' });
    spec.given([adminCreated]).when(disable(1)).then([{ type: 'UserDisabled', data: { userId } }]);
  });

  it('is for admins only', () => {
    spec.given([userCreated]).when(disable(1, asManager)).thenThrows(ForbiddenError);
    spec.given([userCreated, disabled]).when(enable(asManager)).thenThrows(ForbiddenError);
  });
});

describe('ChangePassword and ResetPassword', () => {
  const change = (actorId = userId): UserCommand => ({ type: 'ChangePassword', data: { userId }, metadata: metaFor(actorId, 'analyst') });
  const reset = (meta = asAdmin): UserCommand => ({ type: 'ResetPassword', data: { userId }, metadata: meta });

  it('records that the password changed, never the password', () => {
    spec.given([userCreated]).when(change()).then([{ type: 'UserPasswordChanged', data: { userId, reset: false } }]);
    spec.given([userCreated]).when(reset()).then([{ type: 'UserPasswordChanged', data: { userId, reset: true } }]);
  });

  it('lets any role change only their own password, and only admins reset one', () => {
    spec.given([userCreated]).when(change(crypto.randomUUID())).thenThrows(ForbiddenError);
    spec.given([userCreated]).when(reset(asManager)).thenThrows(ForbiddenError);
    spec.given([]).when(reset()).thenThrows(NotFoundError);
  });

  it('refuses a change on a disabled account', () => {
    spec.given([userCreated, disabled]).when(change()).thenThrows(ForbiddenError);
  });
});

describe('UpdateProfile', () => {
  const asSelf = metaFor(userId, 'analyst');
  const profile = (name: string, timeZone: string | null, meta = asSelf): UserCommand => ({ type: 'UpdateProfile', data: { userId, name, timeZone }, metadata: meta });
  const changed = (name: string, timeZone: string | null): UserEvent => ({ type: 'UserProfileChanged', data: { userId, name, timeZone } });

  it('records a user\'s own new name and time zone, whatever their role', () => {
    spec.given([userCreated]).when(profile('Ada L.', 'Asia/Kolkata')).then([changed('Ada L.', 'Asia/Kolkata')]);
  });

  it('records nothing when nothing changes, and an admin rename keeps the zone', () => {
    spec.given([userCreated, changed('Ada', 'Pacific/Chatham')]).when(profile('Ada', 'Pacific/Chatham')).then([]);
    spec.given([userCreated, changed('Ada', 'Pacific/Chatham'), { type: 'UserUpdated', data: { userId, name: 'Ada B.', teamId: null } }]).when(profile('Ada B.', 'Pacific/Chatham')).then([]);
  });

  it('goes back to the browser\'s zone with null', () => {
    spec.given([userCreated, changed('Ada', 'America/St_Johns')]).when(profile('Ada', null)).then([changed('Ada', null)]);
  });

  it('refuses another user\'s profile, even for an admin, and a disabled or unknown user', () => {
    spec.given([userCreated]).when(profile('Eve', null, asAdmin)).thenThrows(ForbiddenError, { message: 'You can change only your own profile' });
    spec.given([userCreated, disabled]).when(profile('Ada', null)).thenThrows(ForbiddenError);
    spec.given([]).when(profile('Ada', null)).thenThrows(NotFoundError);
  });
});
