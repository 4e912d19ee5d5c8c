import type { Projection } from '../engine/types.ts';
import { leadCardsProjection } from './lead_cards/projection.ts';
import { stageTotalsProjection } from './stage_totals/projection.ts';
import { stagesProjection } from './stages/projection.ts';
import { usersProjection } from './users/projection.ts';

export const projections: readonly Projection[] = [usersProjection, stagesProjection, leadCardsProjection, stageTotalsProjection];

export const PROJECTION_NAMES = ['users', 'stages', 'lead_cards', 'stage_totals'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

export { leadCardsProjection, stageTotalsProjection, stagesProjection, usersProjection };
