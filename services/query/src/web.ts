import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { NotFoundError } from '@leadline/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Vite puts content-hashed files under assets/: they never change, so browsers may keep them. */
const IMMUTABLE = /^assets\//;

function fileUnder(root: string, urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath).replace(/^\/+/, '');
  } catch {
    return null;
  }
  if (rel === '' || rel.includes('\0')) return null;
  const abs = path.resolve(root, rel);
  if (!abs.startsWith(root + path.sep)) return null;
  const stat = fs.statSync(abs, { throwIfNoEntry: false });
  return stat?.isFile() ? path.relative(root, abs) : null;
}

const wantsHtml = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('text/html');

/**
 * Serves the built web app: its files as they are, and index.html for any other non-API path
 * a browser navigates to (deep links such as /board). Unknown /api paths stay 404 problems.
 */
export async function registerWebApp(app: FastifyInstance, webDist: string): Promise<void> {
  const root = path.resolve(webDist);
  await app.register(fastifyStatic, { root, serve: false });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const urlPath = request.url.split('?')[0];
    if (urlPath === '/api' || urlPath.startsWith('/api/')) throw new NotFoundError(`No route GET ${urlPath}`);
    const file = fileUnder(root, urlPath);
    if (file && file !== 'index.html') {
      return IMMUTABLE.test(file) ? reply.sendFile(file, { maxAge: '365d', immutable: true }) : reply.sendFile(file, { maxAge: 0 });
    }
    if (file === 'index.html' || urlPath === '/' || wantsHtml(request)) {
      reply.header('Cache-Control', 'no-cache');
      return reply.sendFile('index.html', { cacheControl: false });
    }
    throw new NotFoundError(`No file ${urlPath}`);
  });
}
