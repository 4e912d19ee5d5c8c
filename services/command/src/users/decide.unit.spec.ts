import crypto from 'node:crypto';
import { describe, it } from 'vitest';
import { ConflictError, ForbiddenError } from '@leadline/platform';
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
const email = 'ada@example.com';
const asAdmin = metaFor(crypto.randomUUID(), 'admin');
const reserve = (id = userId, meta = asAdmin): UserCommand => ({ type: 'ReserveEmail', data: { userId: id, email }, metadata: meta });
const create = (meta = asAdmin): UserCommand => ({ type: 'CreateUser', data: { userId, email, name: 'Ada', role: 'rep', passwordHash: 'hash' }, metadata: meta });
const reserved: UserEvent = { type: 'UserEmailReserved', data: { userId, email } };
const userCreated: UserEvent = { type: 'UserCreated', data: { userId, email, name: 'Ada', role: 'rep', passwordHash: 'hash' } };

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
  it('creates the user', () => {
    spec.given([]).when(create()).then([userCreated]);
  });

  it('refuses an existing user id', () => {
    spec.given([userCreated]).when(create()).thenThrows(ConflictError);
  });

  it('is for admins only', () => {
    spec.given([]).when(create(metaFor(crypto.randomUUID(), 'manager'))).thenThrows(ForbiddenError);
    spec.given([]).when(reserve(userId, metaFor(crypto.randomUUID(), 'rep'))).thenThrows(ForbiddenError);
  });
});
