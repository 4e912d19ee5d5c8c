export { projectorConnections, startProjector, type Projector } from './engine/projector.ts';
export { rebuild, rebuildMany, type RebuildProgress, type RebuildResult } from './engine/rebuild.ts';
export { verify, type VerifyDifference, type VerifyProgress } from './engine/verify.ts';
export { projectorMigrations } from './engine/schema.ts';
export type { HandlerContext, ProjectedEvent, Projection, ProjectionStatus, ProjectionTable, ProjectorDeps } from './engine/types.ts';
export { defineProjection } from './engine/types.ts';
export { PROJECTION_NAMES, projections, type ProjectionName } from './projections/index.ts';
export { projectorConfig } from './config.ts';
