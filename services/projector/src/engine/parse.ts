import { eventMetadata, upcast } from '@leadline/contracts';
import { assertReadable, type StoredEvent } from '@leadline/eventstore';
import type { ProjectedEvent } from './types.ts';

/** Upcasts and validates a stored event; throws for data or metadata that fails its schema, or sealed data that does not open (a poison event). */
export function toProjectedEvent(stored: StoredEvent): ProjectedEvent {
  assertReadable(stored);
  const metadata = eventMetadata.parse(stored.metadata);
  const { type, data } = upcast(stored.type, metadata.schemaVersion, stored.data);
  return {
    type,
    data,
    metadata,
    eventId: stored.eventId,
    streamId: stored.streamId,
    streamVersion: stored.streamVersion,
    checkpoint: stored.checkpoint,
  } as ProjectedEvent;
}

const decoded = new WeakMap<StoredEvent, { event: ProjectedEvent } | { error: unknown }>();

/**
 * `toProjectedEvent`, once per stored event object: the feed hands the same objects to every
 * projection of the process, so each event is upcast and validated once, whoever handles it.
 * A failure is remembered too and thrown to every projection that handles the event.
 */
export function decode(stored: StoredEvent): ProjectedEvent {
  let entry = decoded.get(stored);
  if (!entry) {
    try {
      // Frozen: every projection of the process receives this same object, none may change it for the others.
      entry = { event: deepFreeze(toProjectedEvent(stored)) };
    } catch (error) {
      entry = { error };
    }
    decoded.set(stored, entry);
  }
  if ('error' in entry) throw entry.error;
  return entry.event;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The message of an error without its stack, readable when it is a zod error. */
export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'issues' in err && Array.isArray((err as { issues: unknown[] }).issues)) {
    const issues = (err as { issues: { path: PropertyKey[]; message: string }[] }).issues;
    return `invalid event: ${issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
