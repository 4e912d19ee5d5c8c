import { condition } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { childrenOf, FIELD_CHOICES, isGroup, modeOf, OPERATOR_LABELS, operatorsForField, parseValue, valueText, withChildren, withMode } from './ruleBuilder.ts';

describe('rule builder helpers', () => {
  it('offers only the operators a field type allows', () => {
    expect(operatorsForField('dealValue')).toEqual(['equals', 'not_equals', 'in', 'gt', 'gte', 'lt', 'lte', 'is_empty']);
    expect(operatorsForField('country')).toEqual(['equals', 'not_equals', 'in', 'contains', 'is_empty']);
    expect(operatorsForField('custom.tier')).toContain('gt');
    expect(operatorsForField('custom.tier')).toContain('contains');
    expect(operatorsForField('colour')).toEqual([]);
    expect(FIELD_CHOICES).toContain('score');
    expect(FIELD_CHOICES.at(-1)).toBe('custom.');
    expect(Object.keys(OPERATOR_LABELS)).toHaveLength(9);
  });

  it('parses typed text into the value each operator stores, which the contract accepts', () => {
    expect(parseValue('dealValue', 'gte', '100000')).toBe(100000);
    expect(parseValue('country', 'equals', '  DE ')).toBe('DE');
    expect(parseValue('country', 'in', 'DE, AT,,CH ')).toEqual(['DE', 'AT', 'CH']);
    expect(parseValue('score', 'in', '1, 2, 3')).toEqual([1, 2, 3]);
    expect(parseValue('custom.tier', 'gt', '3')).toBe(3);
    expect(parseValue('custom.tier', 'equals', 'gold')).toBe('gold');
    expect(parseValue('city', 'is_empty', 'anything')).toBeUndefined();
    // Unparseable numbers stay text, so the server names the field instead of receiving NaN.
    expect(parseValue('dealValue', 'gt', 'lots')).toBe('lots');
    expect(condition.safeParse({ field: 'dealValue', operator: 'gt', value: parseValue('dealValue', 'gt', 'lots') }).success).toBe(false);
    for (const [field, op, text] of [['dealValue', 'lt', '5'], ['country', 'in', 'DE, AT'], ['source', 'contains', 'web'], ['city', 'is_empty', '']] as const)
      expect(condition.safeParse({ field, operator: op, value: parseValue(field, op, text) }).success).toBe(true);
  });

  it('shows a stored value back as text', () => {
    expect(valueText({ field: 'country', operator: 'in', value: ['DE', 'AT'] })).toBe('DE, AT');
    expect(valueText({ field: 'dealValue', operator: 'gt', value: 5 })).toBe('5');
    expect(valueText({ field: 'city', operator: 'is_empty' })).toBe('');
  });

  it('switches a group between all and any keeping its children, and replaces children', () => {
    const leaf = { field: 'country', operator: 'equals' as const, value: 'DE' };
    const g = { all: [leaf, { any: [] }] };
    expect(isGroup(g)).toBe(true);
    expect(isGroup(leaf)).toBe(false);
    expect(modeOf(g)).toBe('all');
    const any = withMode(g, 'any');
    expect(any).toEqual({ any: [leaf, { any: [] }] });
    expect(modeOf(any)).toBe('any');
    expect(childrenOf(withChildren(any, [leaf]))).toEqual([leaf]);
    expect(withChildren(g, [])).toEqual({ all: [] });
  });
});
