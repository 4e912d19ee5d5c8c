export * from './config.ts';
export { EnvelopeError, open, seal, type Sealed } from './envelope.ts';
export * from './keyring.ts';
export * from './masterKeys.ts';
export * from './sealingStore.ts';
