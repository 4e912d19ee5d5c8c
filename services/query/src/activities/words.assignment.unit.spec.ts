import { describe, expect, it } from 'vitest';
import { describeLeadEvent, type Names } from './words.ts';

const names: Names = { user: (id) => ({ u1: 'Ana', u2: 'Ben' })[id ?? ''] ?? null, stage: () => null };

describe('timeline words for assignments', () => {
  it('names the rule and what matched for rule assignments', () => {
    const d = describeLeadEvent('LeadAssigned', { leadId: 'l', previousOwnerId: null, ownerId: 'u1', reason: 'rule "DACH" matched; round robin: next in turn is Ana', via: 'rule', ruleId: 'r', ruleName: 'DACH', matched: ['country is DE', 'dealValue ≥ 1000'] }, names);
    expect(d.summary).toBe('Assigned to Ana by rule "DACH" (country is DE and dealValue ≥ 1000)');
    expect(d.changes).toEqual([{ field: 'owner', label: 'owner', from: null, to: 'Ana' }]);
  });

  it('says how for auto-assign and redistribution, and keeps the reason for manual ones', () => {
    expect(describeLeadEvent('LeadAssigned', { leadId: 'l', previousOwnerId: 'u1', ownerId: 'u2', reason: 'redistribution: moved from Ana', via: 'redistribution', ruleId: null, ruleName: null, matched: [] }, names).summary).toBe(
      'Assigned to Ben by a redistribution (redistribution: moved from Ana)',
    );
    expect(describeLeadEvent('LeadAssigned', { leadId: 'l', previousOwnerId: null, ownerId: 'u2', reason: 'knows them', via: 'manual', ruleId: null, ruleName: null, matched: [] }, names).summary).toBe('Assigned to Ben (knows them)');
    // A version-1 event (no via) reads as before.
    expect(describeLeadEvent('LeadAssigned', { leadId: 'l', previousOwnerId: 'u2', ownerId: null, reason: null }, names).summary).toBe('Unassigned from Ben');
  });
});
