import { buildFieldView, defaultFieldPolicy, type FieldPolicy, type FieldRule, type LeadCard, type LeadDto, type Role } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { redactChanges, redactEventData, redactMatched } from './events.ts';
import { redactCard, redactFields, redactLead } from './redact.ts';
import { ownerSumsShown, sumsShown, withoutHiddenSums } from './sums.ts';

const ME = '00000000-0000-4000-8000-000000000001';
const MATE = '00000000-0000-4000-8000-000000000002';
const STRANGER = '00000000-0000-4000-8000-000000000003';
const TEAM = '00000000-0000-4000-8000-0000000000aa';
const teams: Record<string, string[]> = { [ME]: [TEAM], [MATE]: [TEAM] };
const teamsOf = (id: string) => teams[id] ?? [];
const rule = (r: Partial<FieldRule> & Pick<FieldRule, 'role' | 'field' | 'access'>): FieldRule => ({ leads: 'all', teamId: null, ...r });
const POLICY: FieldPolicy = {
  rules: [
    ...defaultFieldPolicy.rules,
    rule({ role: 'rep', leads: 'other_teams', field: 'dealValue', access: 'hidden' }),
    rule({ role: 'rep', field: 'phone', access: 'read_only' }),
    rule({ role: 'rep', field: 'custom.tier', access: 'visible' }),
  ],
  customFields: [{ key: 'tier', label: 'Tier' }],
};
const view = (role: Role) => buildFieldView(POLICY, { userId: ME, role, teamIds: teamsOf(ME) }, teamsOf);

const lead = (ownerId: string | null): LeadDto => ({
  id: '00000000-0000-4000-8000-0000000000ff', pipelineId: TEAM, stageId: TEAM, ownerId, ownerName: null, rank: 'V', lostReason: null, wonAt: null, version: 1,
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', forgottenAt: null,
  firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+44 1', company: 'Engines', title: null, source: null, industry: null, country: null, city: null,
  companySize: null, dealValue: 5000, expectedCloseDate: null, probability: null, customFields: { tier: 'gold', secret: 's3cret' },
});

describe('redactFields', () => {
  it('removes hidden fields from the record (absent, not null) and keeps granted custom fields only', () => {
    const out = redactLead(view('rep'), lead(STRANGER));
    expect('dealValue' in out).toBe(false);
    expect(out.customFields).toEqual({ tier: 'gold' });
    expect(out.readOnlyFields).toEqual(['phone']);
    expect(out.email).toBe('ada@example.com');
  });

  it('keeps the deal value of the team, of the viewer and of unassigned leads', () => {
    for (const owner of [ME, MATE, null]) expect(redactLead(view('rep'), lead(owner)).dealValue).toBe(5000);
  });

  it('hides email and phone from analysts everywhere and leaves admins untouched', () => {
    const analyst = redactLead(view('analyst'), lead(ME));
    expect(Object.keys(analyst)).not.toEqual(expect.arrayContaining(['email']));
    expect('phone' in analyst).toBe(false);
    expect(analyst.customFields).toEqual({});
    expect(redactLead(view('admin'), lead(STRANGER))).toMatchObject({ dealValue: 5000, customFields: { tier: 'gold', secret: 's3cret' }, readOnlyFields: [] });
  });

  it('works on cards and on any record with lead fields', () => {
    const card: LeadCard = { id: TEAM, pipelineId: TEAM, stageId: TEAM, rank: 'V', firstName: 'Ada', lastName: null, company: null, dealValue: 10, ownerId: STRANGER, ownerName: null, version: 1, updatedAt: 'x', touchedAt: 'x' };
    expect('dealValue' in redactCard(view('rep'), card)).toBe(false);
    expect(redactFields(view('analyst'), null, { email: 'a@b', other: 1 })).toEqual({ other: 1 });
  });
});

describe('events and timeline words', () => {
  it('drops hidden values from event data but says the field changed', () => {
    const v = view('rep');
    expect(redactEventData(v, STRANGER, 'LeadDealValueChanged', { leadId: 'l', from: 1, to: 5000 })).toEqual({ leadId: 'l' });
    expect(redactEventData(v, MATE, 'LeadDealValueChanged', { leadId: 'l', from: 1, to: 5000 })).toEqual({ leadId: 'l', from: 1, to: 5000 });
    expect(redactEventData(v, STRANGER, 'LeadMovedToStage', { leadId: 'l', wonValue: 5000 })).toEqual({ leadId: 'l' });
    expect(redactEventData(view('analyst'), ME, 'LeadDetailsUpdated', { leadId: 'l', changes: { email: { from: null, to: 'a@b' }, city: { from: null, to: 'Paris' } } })).toEqual({
      leadId: 'l',
      changes: { email: {}, city: { from: null, to: 'Paris' } },
    });
    expect(redactEventData(v, ME, 'LeadDetailsUpdated', { changes: { customFields: { from: { secret: 'a' }, to: { secret: 'b' } } } })).toEqual({ changes: { customFields: {} } });
    expect(redactEventData(v, STRANGER, 'LeadCreated', { fields: { dealValue: 5000, firstName: 'Ada', customFields: { secret: 'x' } } })).toEqual({ fields: { firstName: 'Ada', customFields: {} } });
  });

  it('rewords rule conditions on hidden fields and the reason that repeats them', () => {
    expect(redactMatched(view('rep'), STRANGER, ['dealValue ≥ 10000', 'country is DE'], 'matched dealValue ≥ 10000 and country is DE')).toEqual({
      matched: ['dealValue (hidden)', 'country is DE'],
      reason: 'matched dealValue (hidden) and country is DE',
    });
    expect(redactMatched(view('rep'), MATE, ['dealValue ≥ 10000'], null)).toEqual({ matched: ['dealValue ≥ 10000'], reason: null });
  });

  it('keeps a change of a hidden field without from and to', () => {
    expect(redactChanges(view('analyst'), ME, [{ field: 'email', label: 'email', from: null, to: 'a@b' }, { field: 'stage', label: 'stage', from: 'A', to: 'B' }])).toEqual([
      { field: 'email', label: 'email' },
      { field: 'stage', label: 'stage', from: 'A', to: 'B' },
    ]);
  });
});

describe('sums', () => {
  it('leaves out a sum the viewer cannot see every value of', () => {
    expect(sumsShown(view('rep'), { kind: 'all' })).toEqual({ totalValue: false, weightedValue: false });
    expect(sumsShown(view('rep'), { kind: 'own', userId: ME })).toEqual({ totalValue: true, weightedValue: true });
    expect(sumsShown(view('manager'), { kind: 'all' })).toEqual({ totalValue: true, weightedValue: true });
    expect(ownerSumsShown(view('rep'), STRANGER)).toEqual({ totalValue: false, weightedValue: false });
    expect(withoutHiddenSums({ totalValue: false, weightedValue: false }, { count: 1, totalValue: 5, weightedValue: 2 })).toEqual({ count: 1 });
  });
});
