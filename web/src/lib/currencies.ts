/** The currencies most workspaces choose, offered first. */
export const COMMON_CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'CNY', 'INR', 'SEK', 'NOK', 'DKK', 'PLN', 'BRL', 'MXN'] as const;

export type CurrencyOption = { code: string; label: string; common: boolean };

/** "EUR — Euro": the code, then its name in the reader's language (the code alone where the runtime has no name). */
export function currencyLabel(code: string, names: Intl.DisplayNames | null): string {
  const name = names?.of(code);
  return name && name !== code ? `${code} — ${name}` : code;
}

/** Every currency the browser can format: the common ones first, in that order, then the rest by code. */
export function currencyOptions(locale?: string, all: readonly string[] = Intl.supportedValuesOf('currency')): CurrencyOption[] {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames(locale ? [locale] : undefined, { type: 'currency' });
  } catch {
    names = null;
  }
  const known = new Set(all);
  const common = COMMON_CURRENCIES.filter((c) => known.has(c));
  const rest = [...known].filter((c) => !(COMMON_CURRENCIES as readonly string[]).includes(c)).sort();
  return [...common.map((code) => ({ code, label: currencyLabel(code, names), common: true })), ...rest.map((code) => ({ code, label: currencyLabel(code, names), common: false }))];
}
