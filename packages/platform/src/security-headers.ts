import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** A Host header we may echo into the policy: a name or IP literal with an optional port, nothing else. */
const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The live socket's own origin, spelled out: older engines do not let 'self' cover ws: and wss:. */
const socketOrigin = (scheme: 'ws' | 'wss') => (req: IncomingMessage) => {
  const host = req.headers.host;
  return host && SAFE_HOST.test(host) ? `${scheme}://${host}` : "'self'";
};

/**
 * The policy of every response (the web app, Swagger UI at /api/docs, the API, errors). Scripts are 'self' only: the built
 * app has no inline script and needs no eval. Styles need 'unsafe-inline' for <style> elements
 * only: PrimeVue's styled mode writes its theme into them at run time. Style attributes are
 * refused (the app sets styles through the CSSOM, which CSP does not restrict).
 */
export function appCspDirectives(https: boolean): Record<string, Iterable<string | ((req: IncomingMessage) => string)>> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'style-src-attr': ["'none'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...(https ? [] : [socketOrigin('ws')]), socketOrigin('wss')],
    'object-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    ...(https ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

const isApi = (url: string): boolean => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/**
 * Security headers on every response (helmet), registered once in createServer. HSTS only behind
 * HTTPS (COOKIE_SECURE=true): sent over plain HTTP it would be ignored at best and lock a host out of
 * HTTP at worst. API answers are never stored by a browser or shared cache, reads included.
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: appCspDirectives(options.https) },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (isApi(request.url)) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
