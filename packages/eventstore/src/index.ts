export * from './port.ts';
export * from './postgres.ts';
export * from './select.ts';
export * from './esdb/index.ts';
export * from './sealing/index.ts';
