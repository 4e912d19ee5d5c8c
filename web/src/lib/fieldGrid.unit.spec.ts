import { defaultFieldPolicy, fieldPolicy } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { addCustomField, cellOf, gridRows, removeCustomField, scopesOf, setCell, type GridScope } from './fieldGrid.ts';

const ALL: GridScope = { leads: 'all', teamId: null };
const OTHER: GridScope = { leads: 'other_teams', teamId: null };
const TEAM = '7d1b9c52-5a3e-4c71-9f0e-2f6a1f0b8c11';

describe('the field permissions grid', () => {
  it('shows the default policy: analysts without email and phone, custom fields hidden', () => {
    expect(cellOf(defaultFieldPolicy, ALL, 'analyst', 'email')).toBe('hidden');
    expect(cellOf(defaultFieldPolicy, ALL, 'rep', 'email')).toBe('visible');
    expect(cellOf(defaultFieldPolicy, OTHER, 'rep', 'dealValue')).toBe('inherit');
  });

  it('keeps the rule set minimal and valid', () => {
    let p = setCell(defaultFieldPolicy, OTHER, 'rep', 'dealValue', 'hidden');
    p = setCell(p, ALL, 'analyst', 'email', 'visible');
    expect(p.rules).toEqual([
      { role: 'analyst', leads: 'all', teamId: null, field: 'phone', access: 'hidden' },
      { role: 'rep', field: 'dealValue', access: 'hidden', leads: 'other_teams', teamId: null },
    ]);
    expect(setCell(p, OTHER, 'rep', 'dealValue', 'inherit').rules).toHaveLength(1);
    expect(fieldPolicy.safeParse(setCell(p, { leads: 'team', teamId: TEAM }, 'manager', 'city', 'read_only')).success).toBe(true);
  });

  it('adds a custom field hidden from everyone, grants it per role, and removes it with its rules', () => {
    const added = addCustomField(defaultFieldPolicy, 'tier', 'Tier');
    if (typeof added === 'string') throw new Error(added);
    expect(gridRows(added).at(-1)).toEqual({ field: 'custom.tier', label: 'Tier', custom: true });
    expect(cellOf(added, ALL, 'manager', 'custom.tier')).toBe('hidden');
    const granted = setCell(added, ALL, 'manager', 'custom.tier', 'visible');
    expect(fieldPolicy.safeParse(granted).success).toBe(true);
    expect(removeCustomField(granted, 'tier')).toEqual(defaultFieldPolicy);
    expect(addCustomField(added, 'tier', 'Again')).toBe('tier is already a custom field');
    expect(addCustomField(added, '1x', '')).toMatch(/starts with a letter/);
  });

  it('lists every lead, other teams and each team as scopes', () => {
    expect(scopesOf(defaultFieldPolicy, [{ id: TEAM, name: 'Inbound' }]).map((s) => s.label)).toEqual(['Every lead', 'Leads of other teams', 'Leads of Inbound']);
  });
});
