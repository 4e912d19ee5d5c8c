/**
 * Reads an amount as a person types it, in their locale: "1,234.50", "1.234,50" (de), "$1,200",
 * "€ 1 200", "-500". Group separators and currency symbols or codes are allowed; anything else is
 * refused with a message instead of being dropped, and the sign is kept (the contract refuses a
 * negative deal value with its own message). Blank is null.
 */
export type AmountResult = { ok: true; value: number | null } | { ok: false; message: string };

function separators(locale?: string): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return { group: parts.find((p) => p.type === 'group')?.value ?? ',', decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.' };
}

const isSpace = (c: string) => /\s/.test(c) || c === '\u00a0' || c === '\u202f';

export function parseAmount(text: string, locale?: string): AmountResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const { group, decimal } = separators(locale);
  const example = new Intl.NumberFormat(locale, { minimumFractionDigits: 2 }).format(1234.5);
  // Currency symbols (\p{Sc}) and three-letter codes go; so do spaces, which some locales group with.
  const bare = trimmed.replace(/\p{Sc}/gu, '').replace(/\b[A-Za-z]{3}\b/g, '').split('').filter((c) => !isSpace(c)).join('');
  let sign = 1;
  let body = bare;
  if (/^[-−]/.test(body)) {
    sign = -1;
    body = body.slice(1);
  }
  const groupChar = isSpace(group) ? '' : group;
  const [whole, fraction, extra] = body.split(decimal);
  const wholeDigits = groupChar ? whole.split(groupChar).join('') : whole;
  if (extra !== undefined || !/^\d*$/.test(wholeDigits) || (fraction !== undefined && !/^\d*$/.test(fraction)) || (wholeDigits + (fraction ?? '')).length === 0) {
    return { ok: false, message: `Enter an amount such as ${example}` };
  }
  if (groupChar && whole.includes(groupChar) && !whole.split(groupChar).slice(1).every((g) => g.length === 3)) {
    return { ok: false, message: `Enter an amount such as ${example} (the ${groupChar === '.' ? 'dot' : groupChar === ',' ? 'comma' : groupChar} separates thousands here)` };
  }
  const value = sign * Number(`${wholeDigits || '0'}.${fraction ?? '0'}`);
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, message: `Enter an amount such as ${example}` };
}
