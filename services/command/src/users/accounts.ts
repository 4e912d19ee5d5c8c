import crypto from 'node:crypto';
import type { Role } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import type { CommandMetadata } from '../events.ts';
import { loadAggregate } from '../events.ts';
import { handleCommand, type StreamOutcome } from '../handler.ts';
import { deterministicId } from '../ids.ts';
import { loadUser, userStream } from '../reads.ts';
import { createUser, reserveEmail } from './decide.ts';
import { reservationAggregate, userAggregate, type ExistingUser } from './user.ts';

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export const emailStream = (email: string): string => `useremail-${crypto.createHash('sha256').update(normaliseEmail(email)).digest('hex')}`;

/** One id per (email, user): re-reserving the same email for the same user is a no-op in the store. */
export const reservationEventId = (email: string, userId: string): string => deterministicId(`useremail:${normaliseEmail(email)}:${userId}`);

export type NewUser = { userId: string; email: string; name: string; role: Role };

/**
 * Reserves the email (its own stream, created once), then creates the user. A crash between
 * the two leaves the email reserved for that user id; retrying with the same ids finishes the job.
 */
export async function createUserAccount(store: EventStore, user: NewUser, metadata: CommandMetadata): Promise<{ reservation: StreamOutcome; user: StreamOutcome }> {
  const email = normaliseEmail(user.email);
  const reservation = await handleCommand(store, {
    streamId: emailStream(email),
    aggregate: reservationAggregate,
    metadata,
    scope: 'email',
    eventIds: [reservationEventId(email, user.userId)],
    decide: (loaded) => reserveEmail({ type: 'ReserveEmail', data: { userId: user.userId, email }, metadata }, loaded.state),
  });
  const created = await handleCommand(store, {
    streamId: userStream(user.userId),
    aggregate: userAggregate,
    metadata,
    scope: 'user',
    decide: (loaded) => createUser({ type: 'CreateUser', data: { ...user, email }, metadata }, loaded.state),
  });
  return { reservation, user: created };
}

/** The user an email belongs to, disabled or not. */
export async function findUserByEmail(store: EventStore, email: string): Promise<ExistingUser | null> {
  const reservation = await loadAggregate(store, emailStream(email), reservationAggregate);
  if (reservation.state.reservedBy === null) return null;
  const user = await loadUser(store, reservation.state.reservedBy);
  return user.status === 'active' && user.email === normaliseEmail(email) ? user : null;
}
