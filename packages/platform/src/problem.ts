import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from './db.ts';
import {
  ConcurrencyError,
  ConflictError,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  StoreUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  type FieldError,
} from './errors.ts';

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
};

const PROBLEM_BASE = 'https://leadline.dev/problems/';

export function sendProblem(reply: FastifyReply, problem: Problem, headers: Record<string, string> = {}): FastifyReply {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

function fieldErrors(err: FastifyError & { validation: { instancePath: string; message?: string }[] }): FieldError[] {
  const where = (err as { validationContext?: string }).validationContext ?? 'body';
  return err.validation.map((v) => {
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    return { field: path ? `${where}.${path}` : where, message: v.message ?? 'invalid' };
  });
}

/** Maps every error to RFC 9457 problem+json; 5xx answers never carry internals. */
export function problemFor(err: unknown, instance?: string): { problem: Problem; headers?: Record<string, string> } {
  const at = instance ? { instance } : {};
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = fieldErrors(err as never);
    return { problem: { type: PROBLEM_BASE + 'validation', title: 'Invalid request', status: 400, detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors, ...at } };
  }
  if (err instanceof ValidationError) return { problem: { type: PROBLEM_BASE + 'validation', title: 'Invalid request', status: 400, detail: err.message, errors: err.errors, ...at } };
  if (err instanceof UnauthorizedError) return { problem: { type: PROBLEM_BASE + 'unauthorized', title: 'Authentication required', status: 401, detail: err.message, ...at } };
  if (err instanceof ForbiddenError)
    return { problem: { type: PROBLEM_BASE + 'forbidden', title: 'Forbidden', status: 403, detail: err.message, ...(err.errors.length > 0 ? { errors: err.errors } : {}), ...at } };
  if (err instanceof UnsupportedMediaTypeError)
    return { problem: { type: PROBLEM_BASE + 'unsupported-media-type', title: 'Unsupported media type', status: 415, detail: err.message, errors: [{ field: 'headers.content-type', message: 'must be application/json' }], ...at } };
  if (err instanceof NotFoundError) return { problem: { type: PROBLEM_BASE + 'not-found', title: 'Not found', status: 404, detail: err.message, ...at } };
  if (err instanceof ConcurrencyError)
    return { problem: { type: PROBLEM_BASE + 'concurrency', title: 'Version conflict', status: 409, detail: err.message, expectedVersion: err.expected, currentVersion: err.actual, ...at }, headers: { ETag: `"${err.actual}"` } };
  if (err instanceof ConflictError) return { problem: { type: PROBLEM_BASE + 'conflict', title: 'Conflict', status: 409, detail: err.message, ...err.details, ...at } };
  if (err instanceof IllegalStateError) return { problem: { type: PROBLEM_BASE + 'rule-violation', title: 'Refused by a business rule', status: 422, detail: err.message, rule: err.rule, ...at } };
  if (err instanceof StoreUnavailableError || isDatabaseUnavailable(err))
    return { problem: { type: PROBLEM_BASE + 'unavailable', title: 'Service temporarily unavailable', status: 503, detail: 'A backing store is unreachable; retry shortly.', ...at }, headers: { 'Retry-After': '2' } };
  const fe = err as FastifyError;
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const headers: Record<string, string> = {};
    return { problem: { type: PROBLEM_BASE + (fe.statusCode === 429 ? 'rate-limited' : 'bad-request'), title: fe.statusCode === 429 ? 'Too many requests' : 'Bad request', status: fe.statusCode, detail: fe.message, ...at }, headers };
  }
  return { problem: { type: PROBLEM_BASE + 'internal', title: 'Internal server error', status: 500, detail: 'An unexpected error occurred; it has been logged.', ...at } };
}

export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request: FastifyRequest, reply) => {
    const { problem, headers } = problemFor(err, request.url.split('?')[0]);
    if (problem.status >= 500) request.log.error({ err, reqId: request.id }, 'request failed');
    else request.log.info({ status: problem.status, type: problem.type }, problem.title);
    return sendProblem(reply, problem, headers);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { type: PROBLEM_BASE + 'not-found', title: 'Not found', status: 404, detail: `No route ${request.method} ${request.url.split('?')[0]}` }),
  );
}
