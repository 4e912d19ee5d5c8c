import { shallowRef } from 'vue';

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, locale: string | undefined, compact: boolean): Intl.NumberFormat {
  const key = `${currency}|${locale ?? ''}|${compact}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      notation: compact ? 'compact' : 'standard',
      maximumFractionDigits: compact ? 1 : 0,
      minimumFractionDigits: 0,
    });
    formatters.set(key, f);
  }
  return f;
}

export type MoneyFormat = { currency?: string; locale?: string; compact?: boolean };

/** The workspace's currency once loaded (stores/workspace.ts); reactive, so money shown before it loads is shown again in it. */
const workspaceCurrency = shallowRef<string | null>(null);

export function setWorkspaceCurrency(currency: string | null): void {
  workspaceCurrency.value = currency;
}

/** The workspace setting; before it has loaded, the build's VITE_CURRENCY, else USD. */
export const defaultCurrency = (): string => workspaceCurrency.value || (import.meta.env?.VITE_CURRENCY as string | undefined) || 'USD';

/** Whole currency units (deal values are estimates; cents only clutter a board). Null shows a dash. */
export function formatMoney(value: number | null | undefined, options: MoneyFormat = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return formatter(options.currency ?? defaultCurrency(), options.locale, options.compact ?? false).format(value);
}

/** Adds money in cents so that repeated optimistic adjustments do not drift. */
export function addMoney(a: number, b: number): number {
  return Math.round(a * 100 + b * 100) / 100;
}
