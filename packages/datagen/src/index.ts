export * from './leads.ts';
export * from './random.ts';
export * as vocabulary from './vocabulary.ts';
