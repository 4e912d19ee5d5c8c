export * from './board.ts';
export * from './common.ts';
export * from './events.ts';
export * from './leads.ts';
export * from './live.ts';
export * from './pipeline.ts';
export * from './users.ts';
