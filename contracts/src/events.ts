import { z } from 'zod';
import {
  activityCompletedV1,
  activityDeletedV1,
  activityLoggedV1,
  activityTemplateDeletedV1,
  activityTemplateSavedV1,
  activityUpdatedV1,
} from './activities.ts';
import {
  assignmentRuleDeletedV1,
  assignmentRuleSavedV1,
  assignmentRulesReorderedV1,
  leadAssignedV2,
  leadRoutedV1,
  leadsRedistributedV1,
  redistributionUndoneV1,
  roundRobinTurnTakenV1,
  teamSavedV1,
  userAvailabilitySetV1,
  userCapacitySetV1,
} from './assignment.ts';
import { auditRecordedV1, auditStreamOpenedV1 } from './audit.ts';
import { eventMetadata } from './common.ts';
import { leadForgottenV1 } from './forget.ts';
import { fieldPolicyChangedV1 } from './fieldPolicy.ts';
import {
  leadCreatedV1,
  leadDealValueChangedV1,
  leadDetailsUpdatedV1,
  leadExpectedCloseDateChangedV1,
  leadMovedToStageV1,
  leadProbabilityChangedV1,
} from './leads.ts';
import {
  lostReasonsSetV1,
  pipelineArchivedV1,
  pipelineCreatedV1,
  pipelineRenamedV1,
  stageAddedV2,
  stageDeletedV1,
  stagesReorderedV1,
  stageUpdatedV1,
} from './pipeline.ts';
import { workspaceSettingsChangedV1 } from './workspace.ts';
import { roleChangedV1, userCreatedV2, userDisabledV1, userEmailReservedV1, userEnabledV1, userPasswordChangedV1, userProfileChangedV1, userUpdatedV1 } from './users.ts';

/**
 * Every event type with its current schema version. An older stored version is
 * upcast when read (see `upcasters`); the store is never rewritten.
 */
export const eventDataSchemas = {
  PipelineCreated: { version: 1, data: pipelineCreatedV1 },
  StageAdded: { version: 2, data: stageAddedV2 },
  StageUpdated: { version: 1, data: stageUpdatedV1 },
  StagesReordered: { version: 1, data: stagesReorderedV1 },
  StageDeleted: { version: 1, data: stageDeletedV1 },
  PipelineRenamed: { version: 1, data: pipelineRenamedV1 },
  PipelineArchived: { version: 1, data: pipelineArchivedV1 },
  LostReasonsSet: { version: 1, data: lostReasonsSetV1 },
  LeadCreated: { version: 2, data: leadCreatedV1 },
  LeadDetailsUpdated: { version: 2, data: leadDetailsUpdatedV1 },
  LeadMovedToStage: { version: 1, data: leadMovedToStageV1 },
  LeadAssigned: { version: 2, data: leadAssignedV2 },
  LeadDealValueChanged: { version: 1, data: leadDealValueChangedV1 },
  LeadExpectedCloseDateChanged: { version: 1, data: leadExpectedCloseDateChangedV1 },
  LeadProbabilityChanged: { version: 1, data: leadProbabilityChangedV1 },
  LeadForgotten: { version: 1, data: leadForgottenV1 },
  UserCreated: { version: 2, data: userCreatedV2 },
  UserUpdated: { version: 1, data: userUpdatedV1 },
  UserProfileChanged: { version: 1, data: userProfileChangedV1 },
  RoleChanged: { version: 1, data: roleChangedV1 },
  UserDisabled: { version: 1, data: userDisabledV1 },
  UserEnabled: { version: 1, data: userEnabledV1 },
  UserPasswordChanged: { version: 1, data: userPasswordChangedV1 },
  UserEmailReserved: { version: 1, data: userEmailReservedV1 },
  ActivityLogged: { version: 2, data: activityLoggedV1 },
  ActivityUpdated: { version: 2, data: activityUpdatedV1 },
  ActivityCompleted: { version: 2, data: activityCompletedV1 },
  ActivityDeleted: { version: 2, data: activityDeletedV1 },
  ActivityTemplateSaved: { version: 1, data: activityTemplateSavedV1 },
  ActivityTemplateDeleted: { version: 1, data: activityTemplateDeletedV1 },
  TeamSaved: { version: 1, data: teamSavedV1 },
  UserAvailabilitySet: { version: 1, data: userAvailabilitySetV1 },
  UserCapacitySet: { version: 1, data: userCapacitySetV1 },
  AssignmentRuleSaved: { version: 1, data: assignmentRuleSavedV1 },
  AssignmentRuleDeleted: { version: 1, data: assignmentRuleDeletedV1 },
  AssignmentRulesReordered: { version: 1, data: assignmentRulesReorderedV1 },
  RoundRobinTurnTaken: { version: 1, data: roundRobinTurnTakenV1 },
  LeadRouted: { version: 1, data: leadRoutedV1 },
  LeadsRedistributed: { version: 1, data: leadsRedistributedV1 },
  RedistributionUndone: { version: 1, data: redistributionUndoneV1 },
  AuditRecorded: { version: 1, data: auditRecordedV1 },
  AuditStreamOpened: { version: 1, data: auditStreamOpenedV1 },
  FieldPolicyChanged: { version: 1, data: fieldPolicyChangedV1 },
  WorkspaceSettingsChanged: { version: 1, data: workspaceSettingsChangedV1 },
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const eventTypes = Object.keys(eventDataSchemas) as EventType[];

const envelope = <T extends EventType>(type: T) =>
  z.object({ type: z.literal(type), data: eventDataSchemas[type].data as (typeof eventDataSchemas)[T]['data'], metadata: eventMetadata });

export const domainEvent = z.discriminatedUnion('type', [
  envelope('PipelineCreated'),
  envelope('StageAdded'),
  envelope('StageUpdated'),
  envelope('StagesReordered'),
  envelope('StageDeleted'),
  envelope('PipelineRenamed'),
  envelope('PipelineArchived'),
  envelope('LostReasonsSet'),
  envelope('LeadCreated'),
  envelope('LeadDetailsUpdated'),
  envelope('LeadMovedToStage'),
  envelope('LeadAssigned'),
  envelope('LeadDealValueChanged'),
  envelope('LeadExpectedCloseDateChanged'),
  envelope('LeadProbabilityChanged'),
  envelope('LeadForgotten'),
  envelope('UserCreated'),
  envelope('UserUpdated'),
  envelope('UserProfileChanged'),
  envelope('RoleChanged'),
  envelope('UserDisabled'),
  envelope('UserEnabled'),
  envelope('UserPasswordChanged'),
  envelope('UserEmailReserved'),
  envelope('ActivityLogged'),
  envelope('ActivityUpdated'),
  envelope('ActivityCompleted'),
  envelope('ActivityDeleted'),
  envelope('ActivityTemplateSaved'),
  envelope('ActivityTemplateDeleted'),
  envelope('TeamSaved'),
  envelope('UserAvailabilitySet'),
  envelope('UserCapacitySet'),
  envelope('AssignmentRuleSaved'),
  envelope('AssignmentRuleDeleted'),
  envelope('AssignmentRulesReordered'),
  envelope('RoundRobinTurnTaken'),
  envelope('LeadRouted'),
  envelope('LeadsRedistributed'),
  envelope('RedistributionUndone'),
  envelope('AuditRecorded'),
  envelope('AuditStreamOpened'),
  envelope('FieldPolicyChanged'),
  envelope('WorkspaceSettingsChanged'),
]);
export type DomainEvent = z.infer<typeof domainEvent>;
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
export type EventData<T extends EventType> = EventOf<T>['data'];

/** Upcasters keyed by `${type}@${fromVersion}`: each lifts data one version up. */
export const upcasters: Record<string, (data: unknown) => unknown> = {
  // StageAdded v2 added rottingDays; stages created before never rot.
  'StageAdded@1': (data) => ({ rottingDays: null, ...(data as object) }),
  // LeadAssigned v2 added how it came about; v1 assignments were made by hand.
  'LeadAssigned@1': (data) => ({ via: 'manual', ruleId: null, ruleName: null, matched: [], ...(data as object) }),
  // Version 2 of these stores the personal values sealed (data.sealed, personal.ts); the sealing store
  // opens them before upcasting, so the opened data has the version 1 shape. Version 1 stored them in clear.
  'LeadCreated@1': (data) => data,
  'LeadDetailsUpdated@1': (data) => data,
  'ActivityLogged@1': (data) => data,
  'ActivityUpdated@1': (data) => data,
  'ActivityCompleted@1': (data) => data,
  'ActivityDeleted@1': (data) => data,
  // UserCreated v2 no longer carries the password hash (it lives in cmd.credentials): drop it when read.
  'UserCreated@1': (data) => {
    const { passwordHash: _hash, ...rest } = data as { passwordHash?: unknown };
    return rest;
  },
};

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
