import type { Projection } from '../engine/types.ts';
import { activitiesProjection } from './activities/projection.ts';
import { assignmentsProjection } from './assignments/projection.ts';
import { auditLogProjection } from './audit_log/projection.ts';
import { conversionProjection } from './conversion/projection.ts';
import { fieldPolicyProjection } from './field_policy/projection.ts';
import { leadCardsProjection } from './lead_cards/projection.ts';
import { pipelineHistoryProjection } from './pipeline_history/projection.ts';
import { stageTotalsProjection } from './stage_totals/projection.ts';
import { stagesProjection } from './stages/projection.ts';
import { timelineProjection } from './timeline/projection.ts';
import { usersProjection } from './users/projection.ts';
import { workspaceSettingsProjection } from './workspace_settings/projection.ts';

export const projections: readonly Projection[] = [usersProjection, stagesProjection, leadCardsProjection, stageTotalsProjection, pipelineHistoryProjection, conversionProjection, activitiesProjection, timelineProjection, assignmentsProjection, fieldPolicyProjection, auditLogProjection, workspaceSettingsProjection];

export const PROJECTION_NAMES = ['users', 'stages', 'lead_cards', 'stage_totals', 'pipeline_history', 'conversion', 'activities', 'timeline', 'assignments', 'field_policy', 'audit_log', 'workspace_settings'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

export { activitiesProjection, assignmentsProjection, auditLogProjection, conversionProjection, fieldPolicyProjection, leadCardsProjection, timelineProjection, pipelineHistoryProjection, stageTotalsProjection, stagesProjection, usersProjection, workspaceSettingsProjection };
