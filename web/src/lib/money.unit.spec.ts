import { describe, expect, it } from 'vitest';
import { addMoney, defaultCurrency, formatMoney, setWorkspaceCurrency } from './money.ts';

describe('formatMoney', () => {
  it('formats whole currency units with grouping', () => {
    expect(formatMoney(125000, { currency: 'USD', locale: 'en-US' })).toBe('$125,000');
  });

  it('rounds cents away on the board', () => {
    expect(formatMoney(1234.56, { currency: 'USD', locale: 'en-US' })).toBe('$1,235');
  });

  it('follows the configured currency and locale', () => {
    expect(formatMoney(1500, { currency: 'EUR', locale: 'de-DE' })).toBe('1.500\u00a0€');
  });

  it('can be compact for big sums', () => {
    expect(formatMoney(1_250_000, { currency: 'USD', locale: 'en-US', compact: true })).toBe('$1.3M');
  });

  it('shows a dash for no value', () => {
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(undefined)).toBe('—');
    expect(formatMoney(Number.NaN)).toBe('—');
  });

  it('defaults to USD', () => {
    expect(formatMoney(0, { locale: 'en-US' })).toBe('$0');
  });
});

describe('addMoney', () => {
  it('adds in cents so repeated adjustments do not drift', () => {
    let total = 0;
    for (let i = 0; i < 10; i++) total = addMoney(total, 0.1);
    expect(total).toBe(1);
    expect(addMoney(0.3, -0.1)).toBe(0.2);
  });
});

describe('defaultCurrency', () => {
  it('is the workspace setting once loaded, the build fallback before and after sign-out', () => {
    expect(defaultCurrency()).toBe('USD');
    setWorkspaceCurrency('EUR');
    expect(defaultCurrency()).toBe('EUR');
    expect(formatMoney(1500, { locale: 'en-US' })).toBe('€1,500');
    setWorkspaceCurrency(null);
    expect(defaultCurrency()).toBe('USD');
  });
});
