import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { requireSignedIn, type Authenticate } from './operator-access.ts';

/**
 * The OpenAPI document generated from the route schemas, at /api/docs/json (and /yaml), browsable
 * with Swagger UI at /api/docs (under the same CSP as everything: its scripts are files, its styles
 * go through the CSSOM); both for signed-in users only. Swagger UI's own script and style
 * files under /api/docs/static are public: they hold nothing of ours.
 */
export async function registerApiDocs(app: FastifyInstance, options: { title: string; authenticate: Authenticate }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: options.title, version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'leadline_session' } } },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiHooks: { onRequest: async (request) => void (await requireSignedIn(request, options.authenticate)) },
  });
}
