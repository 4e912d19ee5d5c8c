import crypto from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerApiDocs } from './api-docs.ts';
import type { Logger } from './logger.ts';
import { registerMetricsRoute } from './metrics.ts';
import { nobody, type Authenticate } from './operator-access.ts';
import { problemFor, registerProblemHandler, sendProblem } from './problem.ts';
import { registerSameOriginGuard } from './same-origin.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { registerTextGuard } from './text-guard.ts';

export { metricsRegistry } from './metrics.ts';
export type { Authenticate } from './operator-access.ts';
export { isSameOrigin } from './same-origin.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare module 'fastify' {
  interface FastifyRequest {
    /** Carried from `X-Correlation-Id` (when a uuid) through command, events and projections. */
    correlationId: string;
  }
}

export type ServerOptions = {
  logger: Logger;
  title: string;
  bodyLimit?: number;
  /** Who is signed in, for /api/docs and /api/metrics; without it both answer 401 (tools that only seed). */
  authenticate?: Authenticate;
  /** COOKIE_SECURE: served over HTTPS, so HSTS and upgrade-insecure-requests are sent. */
  cookieSecure?: boolean;
  /** TRUSTED_PROXIES: IPs/CIDRs whose X-Forwarded-For/-Host are believed; none by default. */
  trustedProxies?: string[];
  /** METRICS_TOKEN: a bearer token a scraper may use for /api/metrics instead of an admin session. */
  metricsToken?: string;
  /** `debug` keeps a request's two log lines out of an `info` console (npm start); default `info`. */
  requestLogLevel?: 'info' | 'debug';
};

/**
 * The root Fastify instance every service (and the all-in-one `npm start`) registers its app plugin
 * into: zod validation, problem+json errors, security headers, the same-origin and text guards,
 * OpenAPI at /api/docs, metrics at /api/metrics, liveness at /api/alive.
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const trusted = options.trustedProxies ?? [];
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // Only listed proxies may set the client address and host; anyone else could spoof them.
    trustProxy: trusted.length ? trusted : false,
    genReqId: () => crypto.randomUUID(),
    logController: new LogController({ disableRequestLogging: options.requestLogLevel === 'debug' }),
    ajv: { customOptions: { coerceTypes: false } },
    // A URL the router cannot decode (`/api/leads/%ED%A0%80`) is answered before any hook runs: still a problem.
    frameworkErrors: (error, request, reply) => {
      void sendProblem(reply, problemFor(error, request.url.split('?')[0]).problem, { 'X-Content-Type-Options': 'nosniff' });
    },
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandler(app);
  app.decorateRequest('correlationId', '');
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers['x-correlation-id'];
    request.correlationId = typeof header === 'string' && UUID.test(header) ? header.toLowerCase() : request.id;
    request.log = request.log.child({ correlationId: request.correlationId });
    reply.header('X-Correlation-Id', request.correlationId);
  });
  if (options.requestLogLevel === 'debug') {
    // Fastify's own request lines are off; one line per request at debug takes their place.
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug({ req: request, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request completed');
    });
  }
  await registerSecurityHeaders(app, { https: options.cookieSecure ?? false });
  registerSameOriginGuard(app);
  registerTextGuard(app);
  await app.register(cookie);
  const authenticate = options.authenticate ?? nobody;
  await registerApiDocs(app, { title: options.title, authenticate });
  registerMetricsRoute(app, { authenticate, metricsToken: options.metricsToken });
  // For container health checks: says only that this process answers HTTP.
  app.get('/api/alive', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  return app;
}
