export * from './binary.ts';
export * from './client.ts';
export * from './config.ts';
export * from './embedded.ts';
export * from './health.ts';
