import type { FastifyInstance } from 'fastify';
import { ValidationError } from './errors.ts';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a string cannot be stored as text, or null when it can. PostgreSQL text and jsonb cannot
 * hold U+0000, and jsonb refuses the `\ud800` escape JSON.stringify writes for a lone surrogate:
 * either would surface as a database error (500) deep in a handler.
 */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'the NUL character (U+0000) is not allowed';
  if (LONE_SURROGATE.test(s)) return 'an unpaired UTF-16 surrogate (such as \\ud800) is not allowed';
  return null;
}

/** The first field (as `root.a.0.b`) holding a string or key that cannot be stored as text, with why. */
export function findBadText(value: unknown, root: string): { field: string; message: string } | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const message = textProblem(v);
      if (message) return { field: path, message };
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const message = textProblem(k);
        if (message) return { field: path, message: `a key: ${message}` };
        stack.push([child, `${path}.${k}`]);
      }
    }
  }
  return null;
}

/** Refuses such text anywhere in a request up front (body, querystring, params), naming the field. */
export function registerTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const bad = findBadText(request.body, 'body') ?? findBadText(request.query, 'querystring') ?? findBadText(request.params, 'params');
    if (bad) throw new ValidationError(`${bad.field}: ${bad.message}`, [bad]);
  });
}
