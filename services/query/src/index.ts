export { buildQueryApp, type QueryDeps } from './app.ts';
export { CheckpointTracker, MIN_CHECKPOINT_WAIT_MS, type QueryMeta } from './consistency.ts';
export { UNAUTHORIZED_CLOSE_CODE } from './live/route.ts';
export { DEFAULT_PROJECTIONS } from './projections.ts';
export { queryConfig, type QueryConfig } from './config.ts';
