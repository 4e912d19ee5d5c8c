import type { FastifyInstance } from 'fastify';
import { ValidationError } from './errors.ts';

/**
 * PostgreSQL text and jsonb cannot hold U+0000, so a NUL anywhere in a request would surface
 * as a database error (500) deep in a handler. Refuse it up front, naming the field.
 */
export function findNul(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path;
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\u0000')) return path;
        stack.push([child, `${path}.${k}`]);
      }
    }
  }
  return null;
}

export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const field = findNul(request.body, 'body') ?? findNul(request.query, 'querystring') ?? findNul(request.params, 'params');
    if (field) throw new ValidationError(`${field}: the NUL character (U+0000) is not allowed`, [{ field, message: 'the NUL character (U+0000) is not allowed' }]);
  });
}
