import { changeNotice } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { ChangeSet, MAX_NOTICE_BYTES, MAX_NOTICE_PARTS, changeNoticePayloads } from './notice.ts';

const changeNoticePayload = (projection: string, checkpoint: string, changes: Parameters<typeof changeNoticePayloads>[2]) => {
  const payloads = changeNoticePayloads(projection, checkpoint, changes);
  expect(payloads).toHaveLength(1);
  return payloads[0];
};

const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('change notice payload', () => {
  it('lists the changed keys once each', () => {
    const changes = new ChangeSet();
    changes.add('leads', uuid(1));
    changes.add('leads', uuid(1));
    changes.add('stage_totals', uuid(1));
    const payload = JSON.parse(changeNoticePayload('lead_cards', '0'.repeat(40), changes.list()));
    expect(changeNotice.parse(payload)).toEqual({
      projection: 'lead_cards',
      checkpoint: '0'.repeat(40),
      changes: [{ view: 'leads', key: uuid(1) }, { view: 'stage_totals', key: uuid(1) }],
    });
  });

  it('splits the keys over several notices, each under the NOTIFY limit, all with the checkpoint', () => {
    const changes = new ChangeSet();
    for (let i = 0; i < 200; i++) changes.add('leads', uuid(i));
    const payloads = changeNoticePayloads('lead_cards', '1'.repeat(40), changes.list());
    expect(payloads.length).toBeGreaterThan(1);
    const notices = payloads.map((p) => {
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_NOTICE_BYTES);
      return changeNotice.parse(JSON.parse(p));
    });
    expect(new Set(notices.map((n) => n.checkpoint))).toEqual(new Set(['1'.repeat(40)]));
    expect(notices.flatMap((n) => n.changes ?? [])).toEqual(changes.list());
  });

  it('omits the changes when they would need more than the maximum number of notices, keeping the checkpoint', () => {
    const changes = new ChangeSet();
    for (let i = 0; i < MAX_NOTICE_PARTS * 200; i++) changes.add('leads', uuid(i));
    expect(changeNoticePayloads('lead_cards', '1'.repeat(40), changes.list()).map((p) => JSON.parse(p))).toEqual([{ projection: 'lead_cards', checkpoint: '1'.repeat(40) }]);
    expect(changeNoticePayloads('lead_cards', '1'.repeat(40), undefined).map((p) => JSON.parse(p))).toEqual([{ projection: 'lead_cards', checkpoint: '1'.repeat(40) }]);
  });

  it('keeps an empty list for a batch that changed nothing', () => {
    expect(JSON.parse(changeNoticePayload('users', '2'.repeat(40), []))).toEqual({ projection: 'users', checkpoint: '2'.repeat(40), changes: [] });
  });
});
