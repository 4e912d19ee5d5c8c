import { completeLeadFields, condition, conditionGroup, ruleBody } from '@leadline/contracts';
import { describe, expect, it } from 'vitest';
import { evaluate, testCondition, type RoutableLead } from './conditions.ts';

const lead = (over: Partial<RoutableLead> = {}): RoutableLead => ({ ...completeLeadFields({ company: 'Acme' }), ...over });
const c = (field: string, operator: string, value?: unknown) => condition.parse({ field, operator, value });

describe('rule conditions', () => {
  const de = lead({ country: 'DE', city: 'Berlin', source: 'Web', industry: 'Software', companySize: '51-200', dealValue: 25000, probability: 40, customFields: { tier: 'gold', seats: 12, partner: true, score: 80 } });

  it('equals and not_equals compare text without case or spaces, numbers exactly', () => {
    expect(testCondition(c('country', 'equals', ' de '), de)).toBe(true);
    expect(testCondition(c('country', 'equals', 'AT'), de)).toBe(false);
    expect(testCondition(c('dealValue', 'equals', 25000), de)).toBe(true);
    expect(testCondition(c('dealValue', 'equals', 25001), de)).toBe(false);
    expect(testCondition(c('country', 'not_equals', 'AT'), de)).toBe(true);
    expect(testCondition(c('country', 'not_equals', 'de'), de)).toBe(false);
    expect(testCondition(c('country', 'not_equals', 'AT'), lead())).toBe(true);
    expect(testCondition(c('custom.partner', 'equals', true), de)).toBe(true);
    expect(testCondition(c('custom.seats', 'equals', 12), de)).toBe(true);
    expect(testCondition(c('custom.seats', 'equals', '12'), de)).toBe(true);
  });

  it('in matches any listed value; contains looks inside text', () => {
    expect(testCondition(c('source', 'in', ['ads', 'web']), de)).toBe(true);
    expect(testCondition(c('source', 'in', ['ads', 'referral']), de)).toBe(false);
    expect(testCondition(c('probability', 'in', [10, 40]), de)).toBe(true);
    expect(testCondition(c('industry', 'contains', 'soft'), de)).toBe(true);
    expect(testCondition(c('industry', 'contains', 'hard'), de)).toBe(false);
    expect(testCondition(c('industry', 'contains', 'soft'), lead())).toBe(false);
    expect(testCondition(c('custom.tier', 'contains', 'OL'), de)).toBe(true);
  });

  it('gt, gte, lt, lte compare numbers; an empty field never compares', () => {
    expect(testCondition(c('dealValue', 'gt', 25000), de)).toBe(false);
    expect(testCondition(c('dealValue', 'gte', 25000), de)).toBe(true);
    expect(testCondition(c('dealValue', 'lt', 25000), de)).toBe(false);
    expect(testCondition(c('dealValue', 'lte', 25000), de)).toBe(true);
    expect(testCondition(c('score', 'gt', 50), de)).toBe(true);
    expect(testCondition(c('custom.seats', 'lt', 20), de)).toBe(true);
    expect(testCondition(c('dealValue', 'lt', 1), lead())).toBe(false);
    expect(testCondition(c('dealValue', 'gte', 0), lead())).toBe(false);
  });

  it('is_empty holds for null and blank; is_empty false for a value', () => {
    expect(testCondition(c('city', 'is_empty'), lead())).toBe(true);
    expect(testCondition(c('city', 'is_empty'), lead({ city: '  ' }))).toBe(true);
    expect(testCondition(c('city', 'is_empty'), de)).toBe(false);
    expect(testCondition(c('city', 'is_empty', false), de)).toBe(true);
    expect(testCondition(c('custom.missing', 'is_empty'), de)).toBe(true);
  });

  it('nests all and any groups, and reports the conditions that matched', () => {
    const tree = conditionGroup.parse({ all: [{ field: 'country', operator: 'in', value: ['DE', 'AT', 'CH'] }, { any: [{ field: 'dealValue', operator: 'gte', value: 50000 }, { field: 'source', operator: 'equals', value: 'web' }] }] });
    expect(evaluate(tree, de)).toEqual({ matched: true, conditions: ['country is one of DE, AT, CH', 'source is web'] });
    expect(evaluate(tree, lead({ country: 'DE', source: 'ads' }))).toEqual({ matched: false, conditions: [] });
    expect(evaluate({ all: [] }, lead()).matched).toBe(true);
    expect(evaluate({ any: [] }, lead()).matched).toBe(false);
    expect(evaluate({ any: [{ all: [] }] }, lead()).matched).toBe(true);
  });

  it('refuses invalid conditions naming the wrong part', () => {
    const issues = (v: unknown) => ruleBody.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    const base = { name: 'R', priority: 1, assignmentType: 'specific_user', userId: crypto.randomUUID() };
    expect(issues({ ...base, conditions: { all: [{ field: 'colour', operator: 'equals', value: 'red' }] } })[0]).toMatch(/^conditions\.all\.0\.field: unknown lead field "colour"/);
    expect(issues({ ...base, conditions: { all: [{ field: 'dealValue', operator: 'contains', value: 'x' }] } })[0]).toMatch(/^conditions\.all\.0\.operator:/);
    expect(issues({ ...base, conditions: { all: [{ field: 'dealValue', operator: 'gt', value: 'big' }] } })[0]).toMatch(/^conditions\.all\.0\.value: .*number/);
    expect(issues({ ...base, conditions: { any: [{ all: [{ field: 'country', operator: 'in', value: 'DE' }] }] } })[0]).toMatch(/^conditions\.any\.0\.all\.0\.value: in needs a list/);
    expect(issues({ ...base, conditions: { all: [{ field: 'country', operator: 'equals', value: 3 }] } })[0]).toMatch(/value: country is text/);
    expect(issues({ name: 'R', priority: 1, assignmentType: 'round_robin', conditions: { all: [] } })).toEqual(['teamId: round_robin needs a teamId']);
    expect(issues({ ...base, conditions: { all: [] } })).toEqual([]);
  });
});
