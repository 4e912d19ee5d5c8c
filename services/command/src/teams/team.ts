import type { EventPayload } from '../events.ts';

export type TeamState = { status: 'none' } | { status: 'active'; id: string; name: string; memberIds: string[] };

export const teamStream = (id: string): string => `team-${id}`;

export const initialTeam: TeamState = { status: 'none' };

export function evolveTeam(state: TeamState, event: EventPayload): TeamState {
  if (event.type === 'TeamSaved') return { status: 'active', id: event.data.teamId, name: event.data.name, memberIds: event.data.memberIds };
  return state;
}

export const teamAggregate = { initialState: initialTeam, eventTypes: ['TeamSaved'] as const, evolve: evolveTeam };
