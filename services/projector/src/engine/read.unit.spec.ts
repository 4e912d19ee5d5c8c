import type { EventStore, StoredEvent } from '@leadline/eventstore';
import { describe, expect, it } from 'vitest';
import { LogOrderError, readPage } from './read.ts';

const event = (checkpoint: string): StoredEvent => ({
  eventId: checkpoint,
  streamId: 'x-1',
  streamVersion: 1,
  checkpoint,
  type: 'T',
  data: {},
  metadata: {},
  recordedAt: new Date(0).toISOString(),
});

// A store stand-in that answers one fixed page: the guard is about what a store returns, not how.
const storeReturning = (page: StoredEvent[]) => ({ readAll: async () => page }) as unknown as EventStore;

describe('readPage', () => {
  it('passes a page in strictly increasing checkpoint order', async () => {
    const page = [event('0002'), event('0003'), event('0010')];
    expect(await readPage(storeReturning(page), '0001', 10)).toEqual(page);
  });

  it('refuses a page out of log order or not after the checkpoint, instead of skipping events', async () => {
    await expect(readPage(storeReturning([event('0010'), event('0008')]), '', 10)).rejects.toBeInstanceOf(LogOrderError);
    await expect(readPage(storeReturning([event('0005')]), '0005', 10)).rejects.toBeInstanceOf(LogOrderError);
  });
});
