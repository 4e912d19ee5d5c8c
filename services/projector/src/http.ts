import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from '@leadline/platform';
import type { Projector } from './engine/projector.ts';

export type MetricsServer = { port: number; close(): Promise<void> };

/**
 * The standalone projector's only HTTP surface: Prometheus metrics and a health check that fails
 * (503) while any projection is stopped by a poison event, naming the event.
 */
export async function startMetricsServer(projector: Projector, port: number, host = '0.0.0.0', storeHealth?: () => unknown): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const answer = async () => {
      if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed\n');
      if (path === '/metrics') return send(200, metricsRegistry.contentType, await metricsRegistry.metrics());
      if (path === '/health') {
        const projections = await projector.status();
        const failed = projections.filter((p) => p.status === 'failed');
        // eventStore: the store's subscription state (EventStoreDB: 'reconnecting' with attempt and retryInMs while it is away).
        const eventStore = storeHealth?.();
        return send(failed.length ? 503 : 200, 'application/json', JSON.stringify({ status: failed.length ? 'failed' : 'ok', projections, ...(eventStore ? { eventStore } : {}) }));
      }
      return send(404, 'text/plain', 'not found\n');
    };
    answer().catch((err: Error) => send(503, 'application/json', JSON.stringify({ status: 'unavailable', error: err.message })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
