import { describe, expect, it } from 'vitest';
import { COMMON_CURRENCIES, currencyLabel, currencyOptions } from './currencies.ts';

describe('currencyOptions', () => {
  it('offers the common currencies first, then every other one the runtime knows, each once', () => {
    const options = currencyOptions('en');
    expect(options.slice(0, COMMON_CURRENCIES.length).map((o) => o.code)).toEqual([...COMMON_CURRENCIES]);
    const codes = options.map((o) => o.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBe(Intl.supportedValuesOf('currency').length);
    const rest = codes.slice(COMMON_CURRENCIES.length);
    expect(rest).toEqual([...rest].sort());
  });

  it('labels each with its name in the reader language', () => {
    const options = currencyOptions('en');
    expect(options.find((o) => o.code === 'EUR')?.label).toBe('EUR — Euro');
    expect(currencyOptions('de').find((o) => o.code === 'USD')?.label).toBe('USD — US-Dollar');
  });

  it('leaves out a common code the runtime does not know, and falls back to the code without a name', () => {
    expect(currencyOptions('en', ['EUR', 'XAU']).map((o) => o.code)).toEqual(['EUR', 'XAU']);
    expect(currencyLabel('ABC', null)).toBe('ABC');
  });
});
