export * from './backoff.ts';
export * from './errors.ts';
export * from './filter.ts';
export * from './mapping.ts';
export * from './store.ts';
export * from './subscription.ts';
