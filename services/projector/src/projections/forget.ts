import type { EventType } from '@leadline/contracts';
import type { ProjectedEvent } from '../engine/types.ts';

/** Events up to and including a LeadForgotten (or the batch's last), and the leads forgotten at its end. */
export type Segment<T extends EventType> = { events: ProjectedEvent<T>[]; forgotten: string[] };

/**
 * A batch cut after each LeadForgotten: a projection that erases stored rows writes the events
 * up to a forget, erases the lead's rows, then goes on, as one event at a time would (set-based
 * handlers must equal that). Forgets are rare: a batch without one is one segment.
 */
export function splitAtForgets<T extends EventType>(events: readonly ProjectedEvent<T>[]): Segment<T>[] {
  const segments: Segment<T>[] = [];
  let current: Segment<T> = { events: [], forgotten: [] };
  for (const event of events) {
    current.events.push(event);
    if (event.type === 'LeadForgotten') {
      current.forgotten.push((event as ProjectedEvent<'LeadForgotten'>).data.leadId.toLowerCase());
      segments.push(current);
      current = { events: [], forgotten: [] };
    }
  }
  if (current.events.length > 0) segments.push(current);
  return segments;
}

/** The events of a segment that a fold without LeadForgotten handles. */
export const exceptForgets = <T extends EventType>(events: ProjectedEvent<T>[]): ProjectedEvent<Exclude<T, 'LeadForgotten'>>[] =>
  events.filter((e) => e.type !== 'LeadForgotten') as unknown as ProjectedEvent<Exclude<T, 'LeadForgotten'>>[];
