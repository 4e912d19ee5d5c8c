import type { EventPayload } from '../events.ts';

/** A user's routing settings, in `userrouting-<userId>`. */
export type Availability = {
  status: 'available' | 'away';
  from: string | null;
  until: string | null;
  /** When the status was set: an away period without `from` starts then. */
  setAt: string | null;
  maxOpenLeads: number | null;
};

export const availabilityStream = (userId: string): string => `userrouting-${userId}`;

export const initialAvailability: Availability = { status: 'available', from: null, until: null, setAt: null, maxOpenLeads: null };

/** `occurredAt` is the event's metadata time (the folding helper passes it). */
export function evolveAvailability(state: Availability, event: EventPayload, occurredAt: string | null = null): Availability {
  if (event.type === 'UserAvailabilitySet') return { ...state, status: event.data.status, from: event.data.from, until: event.data.until, setAt: occurredAt };
  if (event.type === 'UserCapacitySet') return { ...state, maxOpenLeads: event.data.maxOpenLeads };
  return state;
}

/**
 * Away at instant `at`: an away period covers [from (else when it was set), until); it ends by
 * itself when `until` passes, with nothing written.
 */
export function isAwayAt(a: Availability, at: string): boolean {
  if (a.status !== 'away') return false;
  const t = Date.parse(at);
  const start = a.from ?? a.setAt;
  if (start !== null && t < Date.parse(start)) return false;
  return a.until === null || t < Date.parse(a.until);
}
