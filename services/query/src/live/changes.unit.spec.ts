import type { LeadCard } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { cp } from '../testing/readModel.ts';
import { cardsChange, ownersOf, planNotice, type ChangeSet } from './changes.ts';
import { OwnerIndex, type Prior } from './ownerIndex.ts';
import { parseClientMessage } from './protocol.ts';

const rita = '11111111-1111-4111-8111-111111111111';
const oscar = '22222222-2222-4222-8222-222222222222';
const [a, b, c] = ['aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc'];

const card = (id: string, ownerId: string | null): LeadCard => ({
  id,
  pipelineId: '33333333-3333-4333-8333-333333333333',
  stageId: '44444444-4444-4444-8444-444444444444',
  rank: 'U',
  firstName: null,
  lastName: null,
  company: 'Acme',
  dealValue: 1,
  ownerId,
  ownerName: null,
  version: 2,
  updatedAt: '2026-11-24T00:00:00.000Z',
  touchedAt: '2026-11-24T00:00:00.000Z',
});

const changeSet = (cards: LeadCard[], ids: string[], priors: Record<string, Prior>): ChangeSet => ({
  checkpoint: cp(9),
  leadIds: ids,
  cards: new Map(cards.map((x) => [x.id, x])),
  priors: (id) => [{ prior: priors[id] ?? 'unknown', checkpoint: cp(9) }],
  totalsStageIds: [],
});

describe('planNotice', () => {
  it('collects lead and stage keys, and asks for a refetch when stages changed or keys are missing', () => {
    expect(planNotice({ projection: 'lead_cards', checkpoint: cp(1), changes: [{ view: 'leads', key: a }, { view: 'leads', key: a }] })).toEqual({
      leadIds: [a],
      totalsStageIds: [],
      timelineLeadIds: [],
      refetch: [],
      reason: '',
    });
    expect(planNotice({ projection: 'timeline', checkpoint: cp(1), changes: [{ view: 'timeline', key: a }] }).timelineLeadIds).toEqual([a]);
    expect(planNotice({ projection: 'timeline', checkpoint: cp(1) }).refetch).toEqual(['lead']);
    expect(planNotice({ projection: 'stages', checkpoint: cp(1), changes: [{ view: 'stages', key: b }] }).refetch).toEqual(['board']);
    expect(planNotice({ projection: 'lead_cards', checkpoint: cp(1) }).refetch).toEqual(['board', 'lead', 'me']);
    expect(planNotice({ projection: 'users', checkpoint: cp(1) }).refetch).toEqual([]);
  });
});

describe('cardsChange', () => {
  it("gives a rep their own and unassigned cards, and removes only cards they may have held", () => {
    const index = new OwnerIndex();
    index.seed(rita, [], cp(1));
    index.seed('unassigned', [], cp(1));
    const set = changeSet([card(a, rita), card(b, oscar), card(c, oscar)], [a, b, c], { [b]: 'unknown', [c]: { owner: rita } });
    const message = cardsChange('board', set, set.leadIds, ownersOf({ kind: 'own', userId: rita }), index);
    expect(message).toMatchObject({ cards: [expect.objectContaining({ id: a })], removed: [c] });
  });

  it('gives a full scope every card and removes only leads that are gone', () => {
    const set = changeSet([card(a, oscar)], [a, b], {});
    expect(cardsChange('board', set, set.leadIds, 'all', new OwnerIndex())).toMatchObject({ cards: [expect.objectContaining({ id: a })], removed: [b] });
  });

  it('answers null when nothing the viewer may see changed', () => {
    const index = new OwnerIndex();
    index.seed(rita, [], cp(1));
    const set = changeSet([card(b, oscar)], [b], { [b]: { owner: oscar } });
    expect(cardsChange('me', set, set.leadIds, [rita], index)).toBeNull();
  });
});

describe('parseClientMessage', () => {
  it('accepts schema-valid JSON and explains anything else', () => {
    expect(parseClientMessage(Buffer.from('{"type":"ping"}'), false)).toEqual({ message: { type: 'ping' } });
    expect(parseClientMessage(Buffer.from('{"type":"ping"}'), true)).toEqual({ error: 'messages must be JSON text' });
    expect(parseClientMessage(Buffer.from('{'), false)).toEqual({ error: 'messages must be JSON text' });
    const bad = parseClientMessage(Buffer.from('{"type":"subscribe","channels":[]}'), false);
    expect('error' in bad && bad.error).toMatch(/^invalid message: channels/);
  });
});
