import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { formatLogLine, prettyDestination } from './logger-pretty.ts';

describe('formatLogLine', () => {
  it('shows time, level and message, then the fields that are not on every line', () => {
    const line = JSON.stringify({ level: 40, time: '2026-12-02T14:03:07.123Z', pid: 1, hostname: 'h', service: 'leadline', msg: 'slow projection', name: 'lead_cards', lagMs: 1200 });
    expect(formatLogLine(line)).toBe('14:03:07 WARN  slow projection lagMs=1200');
  });

  it('shows an error by its message, a request by method and URL, and quotes values with spaces', () => {
    const line = JSON.stringify({ level: 50, time: '2026-12-02T14:03:07.123Z', msg: 'failed', err: { type: 'Error', message: 'demo move: HTTP 400', stack: 'Error: …\n at x' }, req: { method: 'PUT', url: '/api/leads/1' }, note: 'two words' });
    expect(formatLogLine(line)).toBe('14:03:07 ERROR failed error="demo move: HTTP 400" PUT /api/leads/1 note="two words"');
  });

  it('passes through a line that is not JSON', () => {
    expect(formatLogLine('plain text')).toBe('plain text');
  });

  it('writes no JSON through a real pino logger, and redacts as the JSON logs do', async () => {
    const written: string[] = [];
    const out = { write: (s: string) => written.push(s) } as unknown as NodeJS.WritableStream;
    const log = createLogger('leadline', 'info', prettyDestination(out));
    log.info({ url: 'http://localhost:3000' }, 'Leadline is running');
    log.debug('not shown at info');
    log.warn({ user: { password: 'secret-value' } }, 'careful');
    await new Promise((r) => setImmediate(r));
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/^\d\d:\d\d:\d\d INFO  Leadline is running url=http:\/\/localhost:3000\n$/);
    expect(written[1]).toContain('[redacted]');
    expect(written.join('')).not.toContain('secret-value');
    expect(written.some((l) => l.trim().startsWith('{'))).toBe(false);
  });
});
