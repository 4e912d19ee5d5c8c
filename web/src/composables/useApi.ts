import type { ProblemDto } from '@leadline/contracts';
import { describeProblem } from '../lib/fieldErrors.ts';

/** A non-2xx answer (or no answer at all: status 0), carrying the RFC 9457 problem when there is one. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDto | null;
  readonly retryAfterSeconds: number | null;

  constructor(status: number, problem: ProblemDto | null, retryAfterSeconds: number | null = null) {
    super(describeProblem(status, problem));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export type RequestOptions = {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let unauthorizedHandler: (() => void) | null = null;

const SESSION_PROBES = ['/api/auth/login', '/api/auth/me'];

/** Called when the session ended (expired, signed out elsewhere, revoked, disabled): a request outside /api/auth answered 401, or the live socket closed for it. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

export function sessionEnded(): void {
  unauthorizedHandler?.();
}

function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function readProblem(response: Response): Promise<ProblemDto | null> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return null;
  try {
    return (await response.json()) as ProblemDto;
  } catch {
    return null;
  }
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  return (await send<T>(method, path, options)).value;
}

/** How many more times a read that waited for `minCheckpoint` and still answered stale is asked again. */
const STALE_RETRIES = 4;

/**
 * A read after one's own write (`minCheckpoint`): the server waits about 2 s for the projections and
 * then answers what it has, saying so (`X-Stale: true`). On a busy server that can be before the write
 * shows; asking again a few times keeps "what I just saved is on the page" true.
 */
async function readYourWrites<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
  const waits = options.query?.minCheckpoint ? STALE_RETRIES : 0;
  for (let attempt = 0; ; attempt++) {
    const answer = await send<T>('GET', path, options);
    if (!answer.stale || attempt >= waits) return answer.value;
  }
}

async function send<T>(method: Method, path: string, options: RequestOptions = {}): Promise<{ value: T; stale: boolean }> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    throw new ApiError(0, { type: 'about:blank', title: 'Network error', status: 0, detail: 'Cannot reach the server. Check your connection and try again.' });
  }
  if (!response.ok) {
    const problem = await readProblem(response);
    const retry = Number(response.headers.get('retry-after'));
    // A 401 from sign-in is a wrong password, and /me is how the app asks whether it is signed in at all.
    if (response.status === 401 && !SESSION_PROBES.some((p) => path.startsWith(p))) sessionEnded();
    throw new ApiError(response.status, problem, Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  const stale = response.headers.get('x-stale') === 'true';
  if (response.status === 204) return { value: undefined as T, stale };
  const text = await response.text();
  return { value: (text ? JSON.parse(text) : undefined) as T, stale };
}

export function useApi() {
  return {
    get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => readYourWrites<T>(path, options),
    post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
    put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body }),
    del: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('DELETE', path, options),
  };
}
