import { changeNotice } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { ChangeSet, MAX_NOTICE_BYTES, changeNoticePayload } from './notice.ts';

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

  it('omits the changes when the payload would exceed the NOTIFY limit, keeping the checkpoint', () => {
    const changes = new ChangeSet();
    for (let i = 0; i < 200; i++) changes.add('leads', uuid(i));
    const payload = changeNoticePayload('lead_cards', '1'.repeat(40), changes.list());
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_NOTICE_BYTES);
    expect(JSON.parse(payload)).toEqual({ projection: 'lead_cards', checkpoint: '1'.repeat(40) });
  });

  it('keeps an empty list for a batch that changed nothing', () => {
    expect(JSON.parse(changeNoticePayload('users', '2'.repeat(40), []))).toEqual({ projection: 'users', checkpoint: '2'.repeat(40), changes: [] });
  });
});
