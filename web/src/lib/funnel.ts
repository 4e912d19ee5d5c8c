import type { ConversionRates } from '@leadline/contracts';

export type FunnelStep = { name: string; reached: number; percentOfFirst: number; conversionToNext: number | null };

/** The funnel of open stages then won, with each step as a share of the first step (0-100, one decimal). */
export function funnelSteps(rates: Pick<ConversionRates, 'stages'>): FunnelStep[] {
  const steps = rates.stages.filter((s) => !s.isLost);
  const first = steps[0]?.reached ?? 0;
  return steps.map((s) => ({
    name: s.name,
    reached: s.reached,
    percentOfFirst: first > 0 ? Math.round((s.reached / first) * 1000) / 10 : 0,
    conversionToNext: s.conversionToNext === null ? null : Math.round(s.conversionToNext * 1000) / 10,
  }));
}
