export * from './accounts.ts';
export * from './migrations.ts';
export * from './notice.ts';
export * from './store.ts';
export * from './config.ts';
