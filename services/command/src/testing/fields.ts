import { buildFieldView, defaultFieldPolicy, type FieldPolicy, type FieldView } from '@leadline/contracts';
import type { CommandMetadata } from '../events.ts';

/** The actor's field permissions for a decider test: a policy (default: the default one), teams by user (default: none). */
export const fieldsFor = (meta: Pick<CommandMetadata, 'actor'>, policy: FieldPolicy = defaultFieldPolicy, teams: Record<string, string[]> = {}): FieldView =>
  buildFieldView(policy, { ...meta.actor, teamIds: teams[meta.actor.userId] ?? [] }, (id) => teams[id] ?? []);
