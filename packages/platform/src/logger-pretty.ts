import { Writable } from 'node:stream';

/** LOG_FORMAT: `pretty` (lines for a person at a terminal) or `json` (one object per line, for machines). */
export type LogFormat = 'pretty' | 'json';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Fields every line carries: shown by position (time, level, message) or not at all.
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'service', 'msg', 'correlationId', 'reqId']);

const shown = (value: unknown): string => {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
};

/** One pino JSON line as a person reads it: `14:03:07 WARN  message key=value …`, with an error's message. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : new Date().toISOString().slice(11, 19);
  const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
  const parts = [time, level, String(entry.msg ?? '')];
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    if (key === 'err' && value && typeof value === 'object') {
      const err = value as { message?: string; type?: string };
      parts.push(`error=${shown(err.message ?? err.type ?? 'unknown')}`);
      continue;
    }
    if (key === 'req' && value && typeof value === 'object') {
      const req = value as { method?: string; url?: string };
      parts.push(`${req.method ?? ''} ${req.url ?? ''}`.trim());
      continue;
    }
    parts.push(`${key}=${shown(value)}`);
  }
  return parts.filter(Boolean).join(' ');
}

/** A pino destination writing human-readable lines to `out` (stdout by default). */
export function prettyDestination(out: NodeJS.WritableStream = process.stdout): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) out.write(`${formatLogLine(line)}\n`);
      done();
    },
  });
}

/** A destination that can be silenced at once for every child logger (pino children keep their own level). */
export function mutableDestination(inner: NodeJS.WritableStream): { stream: Writable; mute: () => void } {
  let muted = false;
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (!muted) inner.write(chunk);
      done();
    },
  });
  return { stream, mute: () => void (muted = true) };
}
