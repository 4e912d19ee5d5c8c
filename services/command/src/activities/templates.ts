import type { ActivityTemplateBody } from '@leadline/contracts';
import { ForbiddenError, NotFoundError } from '@leadline/platform';
import type { CommandMetadata, EventPayload } from '../events.ts';

export type TemplateState = { status: 'none' | 'deleted' } | { status: 'active'; id: string; template: ActivityTemplateBody };

export const initialTemplateState: TemplateState = { status: 'none' };

/** Streams `activitytemplate-<id>`. */
export function evolveTemplate(state: TemplateState, event: EventPayload): TemplateState {
  if (event.type === 'ActivityTemplateSaved') {
    const { templateId, ...template } = event.data;
    return { status: 'active', id: templateId, template };
  }
  if (event.type === 'ActivityTemplateDeleted') return { status: 'deleted' };
  return state;
}

export const templateAggregate = { initialState: initialTemplateState, eventTypes: ['ActivityTemplateSaved', 'ActivityTemplateDeleted'] as const, evolve: evolveTemplate };

export type SaveTemplate = { type: 'SaveTemplate'; data: { templateId: string; template: ActivityTemplateBody; create: boolean }; metadata: CommandMetadata };
export type DeleteTemplate = { type: 'DeleteTemplate'; data: { templateId: string }; metadata: CommandMetadata };
export type TemplateEvent = EventPayload<'ActivityTemplateSaved' | 'ActivityTemplateDeleted'>;

function assertManager(metadata: CommandMetadata): void {
  const { role } = metadata.actor;
  if (role !== 'admin' && role !== 'manager') throw new ForbiddenError('Only admins and managers manage activity templates');
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function decideTemplate(command: SaveTemplate | DeleteTemplate, state: TemplateState): TemplateEvent[] {
  assertManager(command.metadata);
  const { templateId } = command.data;
  switch (command.type) {
    case 'SaveTemplate': {
      if (!command.data.create && state.status !== 'active') throw new NotFoundError(`Activity template ${templateId} not found`);
      if (command.data.create && state.status !== 'none') return [];
      if (state.status === 'active' && same(state.template, command.data.template)) return [];
      return [{ type: 'ActivityTemplateSaved', data: { templateId, ...command.data.template } }];
    }
    case 'DeleteTemplate':
      if (state.status === 'none') throw new NotFoundError(`Activity template ${templateId} not found`);
      return state.status === 'deleted' ? [] : [{ type: 'ActivityTemplateDeleted', data: { templateId } }];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
