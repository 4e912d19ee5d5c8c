import { defaultWorkspaceSettings, type WorkspaceSettings } from '@leadline/contracts';
import type { EventPayload } from '../events.ts';

/** The workspace settings in force: the last WorkspaceSettingsChanged, else the defaults (USD). */
export type WorkspaceState = { settings: WorkspaceSettings; changed: boolean };

export const initialWorkspace: WorkspaceState = { settings: defaultWorkspaceSettings, changed: false };

export type WorkspaceEvent = EventPayload<'WorkspaceSettingsChanged'>;

export function evolveWorkspace(state: WorkspaceState, event: WorkspaceEvent): WorkspaceState {
  switch (event.type) {
    case 'WorkspaceSettingsChanged':
      return { settings: { ...state.settings, currency: event.data.currency }, changed: true };
    default: {
      const _exhaustive: never = event.type;
      return _exhaustive;
    }
  }
}

export const workspaceAggregate = { initialState: initialWorkspace, eventTypes: ['WorkspaceSettingsChanged'] as const, evolve: evolveWorkspace };
