import type { WorkspaceSettings } from '@leadline/contracts';
import { ForbiddenError } from '@leadline/platform';
import type { CommandMetadata } from '../events.ts';
import type { WorkspaceEvent, WorkspaceState } from './workspace.ts';

export type ChangeWorkspaceSettings = { type: 'ChangeWorkspaceSettings'; data: WorkspaceSettings; metadata: CommandMetadata };
export type WorkspaceCommand = ChangeWorkspaceSettings;

/** An admin replaces the workspace settings; saving what is already in force records nothing. */
export function changeWorkspaceSettings(command: ChangeWorkspaceSettings, state: WorkspaceState): WorkspaceEvent[] {
  if (command.metadata.actor.role !== 'admin') throw new ForbiddenError('Only admins change the workspace settings');
  if (command.data.currency === state.settings.currency) return [];
  return [{ type: 'WorkspaceSettingsChanged', data: { currency: command.data.currency } }];
}

export function decide(command: WorkspaceCommand, state: WorkspaceState): WorkspaceEvent[] {
  switch (command.type) {
    case 'ChangeWorkspaceSettings':
      return changeWorkspaceSettings(command, state);
    default: {
      const _exhaustive: never = command.type;
      return _exhaustive;
    }
  }
}
