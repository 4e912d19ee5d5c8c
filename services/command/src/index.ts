export { buildCommandApp } from './app.ts';
export { bootstrap, DEFAULT_ADMIN_EMAIL } from './bootstrap.ts';
export type { CommandDeps } from './deps.ts';
export { DEFAULT_PIPELINE_ID, LEADLINE_NAMESPACE, defaultStageId, deterministicId } from './ids.ts';
export { rankBetween } from './leads/rank.ts';
export { commandConfig } from './config.ts';
