import { describe, expect, it } from 'vitest';
import { parseAmount } from './amount.ts';

describe('parseAmount', () => {
  it('reads English amounts with groups, decimals and a currency symbol or code', () => {
    expect(parseAmount('1,234.50', 'en-US')).toEqual({ ok: true, value: 1234.5 });
    expect(parseAmount('$45,000', 'en-US')).toEqual({ ok: true, value: 45000 });
    expect(parseAmount('USD 12', 'en-US')).toEqual({ ok: true, value: 12 });
    expect(parseAmount('  ', 'en-US')).toEqual({ ok: true, value: null });
  });

  it('reads German and French amounts in their own separators', () => {
    expect(parseAmount('1.234,50 €', 'de-DE')).toEqual({ ok: true, value: 1234.5 });
    expect(parseAmount('1\u202f234,5', 'fr-FR')).toEqual({ ok: true, value: 1234.5 });
  });

  it('keeps the sign, so the contract can refuse a negative value with its message', () => {
    expect(parseAmount('-500', 'en-US')).toEqual({ ok: true, value: -500 });
  });

  it('refuses what it cannot read instead of dropping it', () => {
    for (const bad of ['abc', '12abc', '1.2.3', '1,23', '--5']) {
      const r = parseAmount(bad, 'en-US');
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/^Enter an amount such as 1,234\.50/);
    }
    const de = parseAmount('1,234.50', 'de-DE');
    expect(de.ok).toBe(false);
    if (!de.ok) expect(de.message).toContain('1.234,50');
  });
});
