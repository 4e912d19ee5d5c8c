import { z } from 'zod';
import { eventMetadata } from './common.ts';
import { leadAssignedV1, leadCreatedV1, leadDetailsUpdatedV1, leadMovedToStageV1 } from './leads.ts';
import { pipelineCreatedV1, stageAddedV1 } from './pipeline.ts';
import { userCreatedV1, userEmailReservedV1 } from './users.ts';

/**
 * Every event type with its current schema version. An older stored version is
 * upcast when read (see `upcasters`); the store is never rewritten.
 */
export const eventDataSchemas = {
  PipelineCreated: { version: 1, data: pipelineCreatedV1 },
  StageAdded: { version: 1, data: stageAddedV1 },
  LeadCreated: { version: 1, data: leadCreatedV1 },
  LeadDetailsUpdated: { version: 1, data: leadDetailsUpdatedV1 },
  LeadMovedToStage: { version: 1, data: leadMovedToStageV1 },
  LeadAssigned: { version: 1, data: leadAssignedV1 },
  UserCreated: { version: 1, data: userCreatedV1 },
  UserEmailReserved: { version: 1, data: userEmailReservedV1 },
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const eventTypes = Object.keys(eventDataSchemas) as EventType[];

const envelope = <T extends EventType>(type: T) =>
  z.object({ type: z.literal(type), data: eventDataSchemas[type].data as (typeof eventDataSchemas)[T]['data'], metadata: eventMetadata });

export const domainEvent = z.discriminatedUnion('type', [
  envelope('PipelineCreated'),
  envelope('StageAdded'),
  envelope('LeadCreated'),
  envelope('LeadDetailsUpdated'),
  envelope('LeadMovedToStage'),
  envelope('LeadAssigned'),
  envelope('UserCreated'),
  envelope('UserEmailReserved'),
]);
export type DomainEvent = z.infer<typeof domainEvent>;
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
export type EventData<T extends EventType> = EventOf<T>['data'];

/** Upcasters keyed by `${type}@${fromVersion}`: each lifts data one version up. None exist yet. */
export const upcasters: Record<string, (data: unknown) => unknown> = {};

/**
 * Brings stored data to the current version of its type and validates it.
 * Throws for unknown types or data that fails its schema (a poison event).
 */
export function upcast(type: string, schemaVersion: number, data: unknown): { type: EventType; data: unknown } {
  const spec = eventDataSchemas[type as EventType];
  if (!spec) throw new Error(`Unknown event type ${type}`);
  let current = data;
  for (let v = schemaVersion; v < spec.version; v++) {
    const up = upcasters[`${type}@${v}`];
    if (!up) throw new Error(`No upcaster for ${type} from version ${v}`);
    current = up(current);
  }
  return { type: type as EventType, data: spec.data.parse(current) };
}
