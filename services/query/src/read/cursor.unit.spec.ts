import { ValidationError } from '@leadline/platform';
import { describe, expect, it } from 'vitest';
import { decodeColumnCursor, decodeListCursor, encodeColumnCursor, encodeListCursor } from './cursor.ts';
import { escapeLike } from './leads.ts';

const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
const stageId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe('cursors', () => {
  it('round-trip the sort key of the last row', () => {
    const list = { createdAt: '2026-11-24T10:11:12.123456Z', id };
    expect(decodeListCursor(encodeListCursor(list))).toEqual(list);
    const column = { stageId, rank: 'a0Zz', id };
    expect(decodeColumnCursor(encodeColumnCursor(column))).toEqual(column);
  });

  it('are opaque base64url text', () => {
    expect(encodeColumnCursor({ stageId, rank: 'U', id })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each(['', 'not a cursor', '%%%', Buffer.from('{"c":"yesterday","i":"x"}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')])(
    'refuse a malformed list cursor %j with a validation error',
    (bad) => {
      expect(() => decodeListCursor(bad)).toThrow(ValidationError);
    },
  );

  it('refuse a list cursor given as a column cursor and the reverse', () => {
    expect(() => decodeColumnCursor(encodeListCursor({ createdAt: '2026-11-24T10:11:12.123456Z', id }))).toThrow(ValidationError);
    expect(() => decodeListCursor(encodeColumnCursor({ stageId, rank: 'U', id }))).toThrow(ValidationError);
  });
});

describe('escapeLike', () => {
  it('makes LIKE wildcards and the escape character literal', () => {
    expect(escapeLike('50%_off\\now')).toBe('50\\%\\_off\\\\now');
    expect(escapeLike('plain')).toBe('plain');
  });
});
