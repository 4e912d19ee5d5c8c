import type { LeadDto } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS, cellText, customColumns, customLabel, loadColumns, nextSort, normaliseColumns, saveColumns, sortFromQuery } from './leadColumns.ts';

const lead = (over: Partial<LeadDto> = {}): LeadDto =>
  ({
    id: '00000000-0000-4000-8000-000000000001',
    pipelineId: '00000000-0000-4000-8000-000000000002',
    stageId: 's1',
    ownerId: null,
    ownerName: null,
    rank: 'a',
    lostReason: null,
    wonAt: null,
    version: 1,
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-02T10:00:00.000Z',
    forgottenAt: null,
    firstName: 'Ada',
    lastName: 'Byron',
    dealValue: 1200,
    customFields: {},
    ...over,
  }) as LeadDto;

const memory = () => {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
};

describe('lead list columns', () => {
  it('keeps the name first, the standard order, and custom columns once, dropping unknown ids', () => {
    expect(normaliseColumns(['value', 'custom.budget', 'email', 'bogus', 'custom.budget', 'custom.'])).toEqual(['name', 'email', 'value', 'custom.budget']);
  });

  it('offers one column per custom field key the leads carry, labelled from the key', () => {
    const cols = customColumns([lead({ customFields: { annualBudget: 5, tier: 'gold' } }), lead({ customFields: { tier: 'silver', external_id: 'X' } })]);
    expect(cols.map((c) => [c.id, c.label])).toEqual([
      ['custom.annualBudget', 'Annual budget'],
      ['custom.external_id', 'External id'],
      ['custom.tier', 'Tier'],
    ]);
    expect(customLabel('NPS')).toBe('Nps');
  });

  it('shows values as text the way the rest of the UI does; a field hidden from the reader is empty', () => {
    const ctx = { stageName: (id: string) => (id === 's1' ? 'Qualified' : '?'), currency: 'EUR', locale: 'en-GB' };
    expect(cellText(lead(), 'stage', ctx)).toBe('Qualified');
    // Dates in the zone given (the user's): 23:30 UTC on 1 March is 2 March in Kolkata.
    expect(cellText(lead({ createdAt: '2026-03-01T23:30:00.000Z' }), 'createdAt', { ...ctx, zone: 'Asia/Kolkata' })).toBe(new Date('2026-03-02T12:00:00Z').toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' }));
    expect(cellText(lead({ createdAt: '2026-03-01T23:30:00.000Z' }), 'createdAt', { ...ctx, zone: 'America/St_Johns' })).toBe(new Date('2026-03-01T12:00:00Z').toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' }));
    expect(cellText(lead(), 'owner', ctx)).toBe('Unassigned');
    expect(cellText(lead(), 'value', ctx)).toBe('€1,200');
    const hidden = lead();
    delete (hidden as Partial<LeadDto>).dealValue;
    expect(cellText(hidden, 'value', ctx)).toBe('');
    expect(cellText(lead({ probability: 40 }), 'probability', ctx)).toBe('40%');
    expect(cellText(lead({ expectedCloseDate: '2026-12-31' }), 'expectedCloseDate', ctx)).toBe('31 Dec 2026');
    expect(cellText(lead({ customFields: { tier: 'gold', n: 3 } }), 'custom.tier', ctx)).toBe('gold');
    expect(cellText(lead({ customFields: { n: 3, ok: true } }), 'custom.n', ctx)).toBe('3');
    expect(cellText(lead({ customFields: { n: 3, ok: true } }), 'custom.ok', ctx)).toBe('true');
    expect(cellText(lead(), 'custom.missing', ctx)).toBe('');
    expect(cellText(lead({ company: '<b>x</b>' }), 'company', ctx)).toBe('<b>x</b>');
  });

  it('remembers each user their own columns, and falls back to the defaults on unreadable storage', () => {
    const store = memory();
    expect(loadColumns('u1', store)).toEqual([...DEFAULT_COLUMNS]);
    saveColumns('u1', ['phone', 'source'], store);
    expect(loadColumns('u1', store)).toEqual(['name', 'phone', 'source']);
    expect(loadColumns('u2', store)).toEqual([...DEFAULT_COLUMNS]);
    store.data.set('leadline.leadColumns.u3', '{not json');
    expect(loadColumns('u3', store)).toEqual([...DEFAULT_COLUMNS]);
    store.data.set('leadline.leadColumns.u4', '[1,2]');
    expect(loadColumns('u4', store)).toEqual([...DEFAULT_COLUMNS]);
  });

  it('reads the sort from the URL and flips it on a second click of the same heading', () => {
    expect(sortFromQuery({})).toEqual({ sort: 'createdAt', dir: 'desc' });
    expect(sortFromQuery({ sort: 'name' })).toEqual({ sort: 'name', dir: 'asc' });
    expect(sortFromQuery({ sort: 'value', dir: 'asc' })).toEqual({ sort: 'value', dir: 'asc' });
    expect(sortFromQuery({ sort: 'drop table', dir: 'sideways' })).toEqual({ sort: 'createdAt', dir: 'desc' });
    expect(nextSort({ sort: 'name', dir: 'asc' }, 'name')).toEqual({ sort: 'name', dir: 'desc' });
    expect(nextSort({ sort: 'name', dir: 'asc' }, 'value')).toEqual({ sort: 'value', dir: 'desc' });
  });
});
