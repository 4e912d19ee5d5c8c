export * from './leads.ts';
export * from './random.ts';
export * as vocabulary from './vocabulary.ts';
export * from './distributions.ts';
export * from './plan.ts';
export * from './bulk.ts';
export * from './commands.ts';
