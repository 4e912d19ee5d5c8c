import type { EventType } from './events.ts';
import type { TimelineKind } from './timeline.ts';

/**
 * Which timeline kind a lead event is, or null for events that are not about one lead. Exhaustive:
 * a new event type does not compile until it is placed here. A type stored by a newer version
 * of Leadline than this code (unknown at run time) is 'other' when it lives in a lead stream.
 */
export function timelineKindOf(type: EventType): TimelineKind | null {
  switch (type) {
    case 'LeadCreated':
      return 'created';
    case 'LeadDetailsUpdated':
    case 'LeadDealValueChanged':
    case 'LeadExpectedCloseDateChanged':
    case 'LeadProbabilityChanged':
      return 'updated';
    case 'LeadMovedToStage':
      return 'stage';
    case 'LeadAssigned':
      return 'assignment';
    // Activities are entries of their own (one per activity, kind = its type).
    case 'ActivityLogged':
    case 'ActivityUpdated':
    case 'ActivityCompleted':
    case 'ActivityDeleted':
    case 'ActivityTemplateSaved':
    case 'ActivityTemplateDeleted':
    case 'TeamSaved':
    case 'UserAvailabilitySet':
    case 'UserCapacitySet':
    case 'AssignmentRuleSaved':
    case 'AssignmentRuleDeleted':
    case 'AssignmentRulesReordered':
    case 'RoundRobinTurnTaken':
    case 'LeadRouted':
    case 'LeadsRedistributed':
    case 'RedistributionUndone':
    case 'PipelineCreated':
    case 'StageAdded':
    case 'StageUpdated':
    case 'StagesReordered':
    case 'StageDeleted':
    case 'PipelineRenamed':
    case 'PipelineArchived':
    case 'LostReasonsSet':
    case 'UserCreated':
    case 'UserEmailReserved':
      return null;
    default: {
      const _exhaustive: never = type;
      return _exhaustive;
    }
  }
}
