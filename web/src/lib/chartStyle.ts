import { axisTooltip } from './chartText.ts';

/**
 * One look for every chart: legend on top (ECharts 6 puts it at the bottom, over the axis labels),
 * room for the axis labels, the app's font, compact numbers on value axes, and tooltips of text
 * (chartText.ts): a chart that formats its values passes its own `axisTooltip(format)`.
 */
export const CHART_COLORS = { primary: '#4F46E5', light: '#A5B4FC', grey: '#A1A1AA', amber: '#F59E0B', orange: '#F97316', red: '#B91C1C' } as const;

export const chartBase = () => ({
  animation: false,
  textStyle: { fontFamily: "Inter, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, system-ui, sans-serif" },
  legend: { top: 0, left: 'center', icon: 'roundRect', itemWidth: 12, itemHeight: 8, itemGap: 16, textStyle: { color: '#5f6b7f', fontSize: 12 } },
  tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: axisTooltip() },
});

/** Grid below a top legend; ECharts 6 keeps axis labels inside the grid's outer bounds. */
export const chartGrid = (extra: Partial<Record<'left' | 'right' | 'top' | 'bottom', number>> = {}) => ({ left: 16, right: 16, top: 60, bottom: 28, ...extra });

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
export const compactNumber = (n: number): string => compact.format(n);

/**
 * Labels of a category axis that stay readable on a phone: every label shown, slanted and cut to a
 * width when the categories would be narrower than about 80 px each at the window's width.
 */
export function categoryLabels(count: number, viewportWidth = typeof window === 'undefined' ? 1280 : window.innerWidth) {
  const crowded = count > 0 && (viewportWidth - 80) / count < 80;
  return { interval: 0, color: '#5f6b7f', ...(crowded ? { rotate: 40, width: 72, overflow: 'truncate' as const, fontSize: 11 } : {}) };
}
