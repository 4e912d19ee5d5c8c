import { defaultFieldPolicy, FIELD_POLICY_STREAM, type FieldPolicy } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import { loadCachedState } from '../aggregateCache.ts';
import type { EventPayload } from '../events.ts';

/** The field permissions in force: the last FieldPolicyChanged, else the default policy. */
export type FieldPolicyState = { policy: FieldPolicy; changed: boolean };

export const initialFieldPolicy: FieldPolicyState = { policy: defaultFieldPolicy, changed: false };

export function evolveFieldPolicy(state: FieldPolicyState, event: EventPayload<'FieldPolicyChanged'>): FieldPolicyState {
  switch (event.type) {
    case 'FieldPolicyChanged':
      return { policy: { rules: event.data.rules, customFields: event.data.customFields }, changed: true };
    default: {
      const _exhaustive: never = event.type;
      return _exhaustive;
    }
  }
}

export const fieldPolicyAggregate = { initialState: initialFieldPolicy, eventTypes: ['FieldPolicyChanged'] as const, evolve: evolveFieldPolicy };

/** Every lead write reads it: the cached fold plus the stream's tail, so a change applies to the very next command. */
export async function loadFieldPolicy(store: EventStore): Promise<FieldPolicy> {
  return (await loadCachedState(store, FIELD_POLICY_STREAM, fieldPolicyAggregate)).state.policy;
}
