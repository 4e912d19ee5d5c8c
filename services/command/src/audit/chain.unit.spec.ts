import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditLink, AuditRecordedData } from '@leadline/contracts';
import { ChainChecker, type AuditEventRef, type HashLookup } from './check.ts';
import { canonicalJson, chainHash, contentOf, sealed, type AuditContent } from './hash.ts';
import { GENESIS_HASH } from './streams.ts';

const content = (n: number, prev: AuditLink | null, at = `2026-12-02T10:00:0${n % 10}.000Z`): AuditContent => ({
  recordId: `0b6f7c1e-9d1a-4c55-9a43-${String(n).padStart(12, '0')}`,
  kind: 'export',
  at,
  actor: { userId: '6f1c1c1e-9d1a-4c55-9a43-0d9f1a1b2c3d', role: 'auditor', email: 'ann@example.com' },
  subject: { type: 'dataset', id: 'audit' },
  ip: '10.0.0.1',
  userAgent: 'test',
  detail: { n, filters: { kind: ['export'] } },
  prev,
});

/** A well-formed chain: `perDay` events on each of the given days, each day linking to the last event of the day before. */
function chainOf(days: string[], perDay: number): AuditEventRef[] {
  const out: AuditEventRef[] = [];
  let prev: AuditLink | null = null;
  let prevHash = GENESIS_HASH;
  for (const day of days) {
    for (let v = 1; v <= perDay; v++) {
      const data = sealed(content(v, prev, `${day}T10:00:00.000Z`), prevHash);
      out.push({ streamId: `audit-${day}`, streamVersion: v, data });
      prev = { streamId: `audit-${day}`, version: v };
      prevHash = data.hash;
    }
  }
  return out;
}

const lookupIn = (events: AuditEventRef[]): HashLookup => async (streamId, version) =>
  (events.find((e) => e.streamId === streamId && e.streamVersion === version)?.data as AuditRecordedData | undefined)?.hash ?? null;

async function firstBreak(events: AuditEventRef[]) {
  const checker = new ChainChecker();
  for (const e of events) {
    const broken = await checker.check(e, lookupIn(events));
    if (broken) return broken;
  }
  return null;
}

const withData = (e: AuditEventRef, change: (d: AuditRecordedData) => AuditRecordedData): AuditEventRef => ({ ...e, data: change(structuredClone(e.data as AuditRecordedData)) });

describe('canonical JSON', () => {
  it('is the same text whatever the key order, at every depth, and leaves out undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson({ a: { c: 'x', d: [1, { y: null, z: true }] }, b: 1 })).toBe(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' } }));
  });

  it('escapes strings as JSON does (quotes, control characters, non-ASCII kept)', () => {
    expect(canonicalJson({ s: 'a"b\\c\n\u0001é😀' })).toBe('{"s":"a\\"b\\\\c\\n\\u0001é😀"}');
  });

  it('survives a round trip through JSON text with keys reordered (as jsonb stores them)', () => {
    const value = { zeta: 0.30000000000000004, alpha: [3, 2, 1], mid: { b: 1e21, a: -0 } };
    const reordered = JSON.parse(JSON.stringify({ mid: { a: 0, b: 1e21 }, alpha: [3, 2, 1], zeta: 0.1 + 0.2 }));
    expect(canonicalJson(reordered)).toBe(canonicalJson(value));
  });
});

describe('chain hash', () => {
  it('is sha256 of the previous hash followed by the canonical JSON of the content', () => {
    const c = content(1, null);
    const expected = crypto.createHash('sha256').update(GENESIS_HASH + canonicalJson(c)).digest('hex');
    expect(chainHash(GENESIS_HASH, c)).toBe(expected);
    expect(sealed(c, GENESIS_HASH)).toEqual({ ...c, prevHash: GENESIS_HASH, hash: expected });
    expect(contentOf(sealed(c, GENESIS_HASH))).toEqual(c);
  });

  it('changes with any field of the content and with the previous hash', () => {
    const c = content(1, null);
    const base = chainHash(GENESIS_HASH, c);
    expect(chainHash('f'.repeat(64), c)).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...c, ip: '10.0.0.2' })).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...c, detail: { n: 2, filters: { kind: ['export'] } } })).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { ...c, prev: { streamId: 'audit-2026-12-01', version: 1 } })).not.toBe(base);
  });
});

describe('ChainChecker', () => {
  const days = ['2026-11-30', '2026-12-01', '2026-12-02'];

  it('accepts an intact chain over several days', async () => {
    const events = chainOf(days, 4);
    const checker = new ChainChecker();
    for (const e of events) expect(await checker.check(e, lookupIn(events))).toBeNull();
    expect([checker.events, checker.streams]).toEqual([12, 3]);
  });

  it('names the event whose content was changed: the hash of its content is not the stored one', async () => {
    const events = chainOf(days, 4);
    events[5] = withData(events[5], (d) => ({ ...d, ip: '6.6.6.6' }));
    const broken = await firstBreak(events);
    expect(broken).toMatchObject({ streamId: 'audit-2026-12-01', version: 2, problem: 'hash', found: (chainOf(days, 4)[5].data as AuditRecordedData).hash });
    expect(broken!.expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the next event when the changed one was re-hashed too: its prevHash no longer matches', async () => {
    const events = chainOf(days, 4);
    events[5] = withData(events[5], (d) => sealed({ ...contentOf(d), ip: '6.6.6.6' }, d.prevHash));
    const broken = await firstBreak(events);
    expect(broken).toMatchObject({ streamId: 'audit-2026-12-01', version: 3, problem: 'prevHash', expected: (events[5].data as AuditRecordedData).hash });
  });

  it('finds a deleted event (a gap in the versions) and a deleted day (a link to nothing)', async () => {
    const gap = chainOf(days, 4).filter((_, i) => i !== 6);
    expect(await firstBreak(gap)).toMatchObject({ streamId: 'audit-2026-12-01', version: 4, problem: 'missing event', expected: 'version 3', found: 'version 4' });
    const dayGone = chainOf(days, 2).filter((e) => e.streamId !== 'audit-2026-12-01');
    expect(await firstBreak(dayGone)).toMatchObject({ streamId: 'audit-2026-12-02', version: 1, problem: 'link' });
  });

  it('refuses a second chain starting from the genesis hash, and a link forward in time', async () => {
    const second = chainOf(days, 2);
    second[2] = { ...second[2], data: sealed(content(1, null), GENESIS_HASH) };
    expect(await firstBreak(second)).toMatchObject({ streamId: 'audit-2026-12-01', version: 1, problem: 'link', found: 'a new chain (no link)' });
    const forward = chainOf(days, 1);
    forward[1] = { ...forward[1], data: sealed(content(1, { streamId: 'audit-2026-12-02', version: 1 }), GENESIS_HASH) };
    expect(await firstBreak(forward)).toMatchObject({ streamId: 'audit-2026-12-01', version: 1, problem: 'link' });
  });

  it('accepts a day linked to an older event of the day before (another replica went on writing that day), checked through the lookup', async () => {
    const events = chainOf(['2026-12-01'], 3);
    const link = events[1].data as AuditRecordedData; // version 2 of the day before, not its last
    const opening = sealed(content(1, { streamId: 'audit-2026-12-01', version: 2 }, '2026-12-02T00:00:00.001Z'), link.hash);
    const all = [...events, { streamId: 'audit-2026-12-02', streamVersion: 1, data: opening }];
    expect(await firstBreak(all)).toBeNull();
    const wrong = [...events, { streamId: 'audit-2026-12-02', streamVersion: 1, data: sealed(contentOf(opening), (events[0].data as AuditRecordedData).hash) }];
    expect(await firstBreak(wrong)).toMatchObject({ streamId: 'audit-2026-12-02', version: 1, problem: 'prevHash', expected: link.hash });
  });

  it('reports data that is no audit event at all', async () => {
    const events = chainOf(days, 1);
    events[1] = { ...events[1], data: { kind: 'export' } };
    expect(await firstBreak(events)).toMatchObject({ streamId: 'audit-2026-12-01', version: 1, problem: 'unreadable' });
  });
});
