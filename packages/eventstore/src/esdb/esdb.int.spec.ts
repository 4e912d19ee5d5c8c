import crypto from 'node:crypto';
import net from 'node:net';
import { ConcurrencyError, StoreUnavailableError } from '@leadline/platform';
import { describe, expect, it } from 'vitest';
import { describeEventStoreConformance } from '../conformance.ts';
import { LEADLINE_STREAM_CATEGORIES } from './filter.ts';
import { EsdbEventStore } from './store.ts';

const url = process.env.EVENTSTORE_URL;

// No EventStoreDB server can run on the development machines: the port's contract runs against one when
// EVENTSTORE_URL is set (e.g. esdb://localhost:2113?tls=false with `docker compose up eventstoredb`).
if (url) {
  describeEventStoreConformance('eventstoredb', async () => {
    const store = EsdbEventStore.connect(url, { categories: [...LEADLINE_STREAM_CATEGORIES, 'conformance'] });
    return {
      store,
      // EventStoreDB has one ordered writer: an append is in the log, in order, once acknowledged.
      beginHeldAppend: async (streamId, event) => ({ commit: () => store.append(streamId, [event], 'no_stream').then(() => {}) }),
      dispose: () => store.close(),
    };
  });
} else {
  console.log('EventStoreDB conformance suite skipped: EVENTSTORE_URL is not set');
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const ev = () => ({ eventId: crypto.randomUUID(), type: 'LeadCreated', data: {}, metadata: { commandId: crypto.randomUUID() } });

describe('EventStoreDB adapter with the server unreachable (a closed local port)', () => {
  it('answers every operation with StoreUnavailableError, quickly, never a raw gRPC error', async () => {
    const store = EsdbEventStore.connect(`esdb://127.0.0.1:${await closedPort()}?tls=false`);
    try {
      const started = Date.now();
      for (const op of [
        () => store.append('lead-1', [ev()], 'no_stream'),
        () => store.append('lead-1', [ev()], 3),
        () => store.append('lead-1', [ev()], 'any'),
        () => store.readStream('lead-1'),
        () => store.readAll({ limit: 10 }),
        () => store.headCheckpoint(),
      ]) {
        const err = await op().then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(StoreUnavailableError);
        expect(err).not.toBeInstanceOf(ConcurrencyError);
      }
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await store.close();
    }
  });

  it('translates the plain gRPC code-14 error the client\'s own append rejects with', async () => {
    // The client's append rejects with a plain gRPC ServiceError (code 14) rather than its UnavailableError.
    const { EventStoreDBClient, jsonEvent } = await import('@eventstore/db-client');
    const client = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${await closedPort()}?tls=false`);
    const raw = await client.appendToStream('lead-1', jsonEvent({ type: 'X', data: {} })).then(() => null, (e: unknown) => e as { code?: number; type?: string });
    expect(raw).toMatchObject({ code: 14 });
    expect(raw?.type).toBeUndefined();
    const { translateEsdbError } = await import('./errors.ts');
    expect(translateEsdbError(raw, 'lead-1', 'no_stream')).toBeInstanceOf(StoreUnavailableError);
    await client.dispose();
  });

  it('refuses to append to a stream category the $all filter would hide', async () => {
    const store = EsdbEventStore.connect(`esdb://127.0.0.1:${await closedPort()}?tls=false`);
    await expect(store.append('invoice-1', [ev()], 'no_stream')).rejects.toThrow(/not in the EventStoreDB stream filter/);
    await store.close();
  });
});
