export * from './port.ts';
export * from './postgres.ts';
