import { describe, expect, it } from 'vitest';
import { takeLines } from './ndjson.ts';

describe('NDJSON line splitting', () => {
  it('returns whole lines and keeps the unfinished rest for the next chunk', () => {
    expect(takeLines('{"a":1}\n{"b":2}\n{"c"')).toEqual({ lines: ['{"a":1}', '{"b":2}'], rest: '{"c"' });
    expect(takeLines('')).toEqual({ lines: [], rest: '' });
    expect(takeLines('\n\n{"x":1}\n')).toEqual({ lines: ['{"x":1}'], rest: '' });
  });
});
