import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import { requireMetricsReader, type Authenticate } from './operator-access.ts';

export const metricsRegistry = new client.Registry();
client.collectDefaultMetrics({ register: metricsRegistry });

/** Prometheus metrics of this process at /api/metrics, for admins and the METRICS_TOKEN holder. */
export function registerMetricsRoute(app: FastifyInstance, options: { authenticate: Authenticate; metricsToken?: string }): void {
  app.get('/api/metrics', { schema: { hide: true } }, async (request, reply) => {
    await requireMetricsReader(request, options.authenticate, options.metricsToken);
    reply.type(metricsRegistry.contentType);
    return metricsRegistry.metrics();
  });
}
