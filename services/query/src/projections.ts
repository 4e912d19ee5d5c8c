/** Projection names as the projector records them in `projector.projections`. */
export const USERS = 'users';
export const STAGES = 'stages';
export const LEAD_CARDS = 'lead_cards';
export const STAGE_TOTALS = 'stage_totals';
export const PIPELINE_HISTORY = 'pipeline_history';
export const CONVERSION = 'conversion';
export const ACTIVITIES = 'activities';
export const FIELD_POLICY = 'field_policy';
export const ASSIGNMENTS = 'assignments';
export const WORKSPACE_SETTINGS = 'workspace_settings';

export const DEFAULT_PROJECTIONS = [USERS, STAGES, LEAD_CARDS, STAGE_TOTALS, PIPELINE_HISTORY, CONVERSION];
