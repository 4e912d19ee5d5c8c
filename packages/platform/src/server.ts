import crypto from 'node:crypto';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import client from 'prom-client';
import type { Logger } from './logger.ts';
import { registerNulGuard } from './nul-guard.ts';
import { registerProblemHandler } from './problem.ts';

export const metricsRegistry = new client.Registry();
client.collectDefaultMetrics({ register: metricsRegistry });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare module 'fastify' {
  interface FastifyRequest {
    /** Carried from `X-Correlation-Id` (when a uuid) through command, events and projections. */
    correlationId: string;
  }
}

/**
 * The root Fastify instance every service (and the all-in-one `npm start`) registers its
 * app plugin into: zod validation, problem+json errors, OpenAPI at /api/docs, metrics at /api/metrics.
 */
export async function createServer(options: { logger: Logger; title: string; bodyLimit?: number }): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    trustProxy: true,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { coerceTypes: false } },
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandler(app);
  registerNulGuard(app);
  app.decorateRequest('correlationId', '');
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers['x-correlation-id'];
    request.correlationId = typeof header === 'string' && UUID.test(header) ? header.toLowerCase() : request.id;
    request.log = request.log.child({ correlationId: request.correlationId });
    reply.header('X-Correlation-Id', request.correlationId);
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: options.title, version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'leadline_session' } } },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(metricsRegistry.contentType);
    return metricsRegistry.metrics();
  });
  return app;
}
