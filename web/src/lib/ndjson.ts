import { ApiError } from '../composables/useApi.ts';

/** Splits what arrived so far into whole lines and the unfinished rest. */
export function takeLines(buffer: string): { lines: string[]; rest: string } {
  const parts = buffer.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.filter((l) => l.trim() !== ''), rest };
}

/**
 * POSTs JSON and reads an NDJSON answer line by line as it streams (bulk assignment's progress).
 * A non-2xx answer is an ApiError carrying the problem, as with useApi.
 */
export async function postNdjson<L>(path: string, body: unknown, onLine: (line: L) => void, headers: Record<string, string> = {}): Promise<void> {
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson', ...headers }, body: JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { type: 'about:blank', title: 'Network error', status: 0, detail: 'Cannot reach the server. Check your connection and try again.' });
  }
  if (!response.ok || !response.body) {
    const problem = (response.headers.get('content-type') ?? '').includes('json') ? await response.json().catch(() => null) : null;
    throw new ApiError(response.status, problem);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    const { lines, rest } = takeLines(done ? `${buffer}\n` : buffer);
    buffer = rest;
    for (const line of lines) onLine(JSON.parse(line) as L);
    if (done) return;
  }
}
