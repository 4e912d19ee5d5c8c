import type { EventType } from './events.ts';
import type { TimelineKind } from './timeline.ts';

/**
 * Which timeline kind a lead event is, or null for events that are not about one lead. Exhaustive:
 * a new event type does not compile until it is placed here. A type stored by a newer version
 * of Leadline than this code (unknown at run time) is 'other' when it lives in a lead stream.
 */
const kinds = {
  LeadCreated: 'created',
  LeadDetailsUpdated: 'updated',
  LeadDealValueChanged: 'updated',
  LeadExpectedCloseDateChanged: 'updated',
  LeadProbabilityChanged: 'updated',
  LeadMovedToStage: 'stage',
  LeadAssigned: 'assignment',
  LeadForgotten: 'other',
  // Not about one lead; activities are entries of their own (one per activity, kind = its type).
  ActivityLogged: null,
  ActivityUpdated: null,
  ActivityCompleted: null,
  ActivityDeleted: null,
  ActivityTemplateSaved: null,
  ActivityTemplateDeleted: null,
  TeamSaved: null,
  UserAvailabilitySet: null,
  UserCapacitySet: null,
  AssignmentRuleSaved: null,
  AssignmentRuleDeleted: null,
  AssignmentRulesReordered: null,
  RoundRobinTurnTaken: null,
  LeadRouted: null,
  LeadsRedistributed: null,
  RedistributionUndone: null,
  FieldPolicyChanged: null,
  WorkspaceSettingsChanged: null,
  AuditRecorded: null,
  AuditStreamOpened: null,
  PipelineCreated: null,
  StageAdded: null,
  StageUpdated: null,
  StagesReordered: null,
  StageDeleted: null,
  PipelineRenamed: null,
  PipelineArchived: null,
  LostReasonsSet: null,
  UserCreated: null,
  UserUpdated: null,
  UserProfileChanged: null,
  RoleChanged: null,
  UserDisabled: null,
  UserEnabled: null,
  UserPasswordChanged: null,
  UserEmailReserved: null,
} as const satisfies Record<EventType, TimelineKind | null>;

/** The event types that are entries of a lead's timeline. */
export type LeadTimelineEventType = { [K in EventType]: (typeof kinds)[K] extends null ? never : K }[EventType];

export const timelineKindOf = (type: EventType): TimelineKind | null => kinds[type];

export const isLeadTimelineEvent = (type: string): type is LeadTimelineEventType => (kinds as Record<string, TimelineKind | null>)[type] != null;
