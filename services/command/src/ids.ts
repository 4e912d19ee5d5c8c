import { v5 } from 'uuid';

/** Namespace of every deterministic (uuid v5) id Leadline derives. */
export const LEADLINE_NAMESPACE = '4b7ce6ec-e793-4de2-b41f-6a0cf7f7013f';

export const deterministicId = (name: string): string => v5(name, LEADLINE_NAMESPACE);

/** A retried request with the same Idempotency-Key is the same command. */
export const commandIdFor = (actorId: string, idempotencyKey: string): string => deterministicId(`command:${actorId}:${idempotencyKey}`);

/** Event ids follow from the command, so re-appending a retried command is a no-op in the store. */
export const eventIdFor = (commandId: string, index: number, scope = ''): string => deterministicId(`event:${commandId}:${scope}:${index}`);

/** The id of the entity a command creates (lead, user, stage). */
export const entityIdFor = (commandId: string): string => deterministicId(`entity:${commandId}:id`);

export const DEFAULT_PIPELINE_ID = deterministicId('leadline:default-pipeline');

/** Stage ids of the default pipeline, by position in `defaultStages`. */
export const defaultStageId = (index: number): string => deterministicId(`leadline:default-stage:${index}`);
