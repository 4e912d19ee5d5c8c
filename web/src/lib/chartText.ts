/**
 * Names in charts are text. ECharts puts a tooltip formatter's string into innerHTML, so a stage or
 * user name inside one runs as HTML (issue 11: a stage name ran script in the funnel's tooltip).
 * Every tooltip of the app is built here instead, as DOM nodes holding text; their look comes from
 * classes (styles/chart.css), so no style="" attribute is needed either.
 */
import '../styles/chart.css';

export type TooltipRow = { color?: string; label: string; value: string };

const el = (parent: HTMLElement, tag: 'div' | 'span', className: string, text?: string): HTMLElement => {
  const node = parent.appendChild(document.createElement(tag));
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

export function tooltipNode(title: string, rows: readonly TooltipRow[]): HTMLElement {
  const root = document.createElement('div');
  root.className = 'chart-tooltip';
  el(root, 'div', 'chart-tooltip__title', title);
  for (const row of rows) {
    const line = el(root, 'div', 'chart-tooltip__row');
    if (row.color) el(line, 'span', 'chart-tooltip__dot').style.background = row.color;
    el(line, 'span', 'chart-tooltip__label', row.label);
    el(line, 'span', 'chart-tooltip__value', row.value);
  }
  return root;
}

type AxisParam = { axisValueLabel?: string; name?: string; seriesName?: string; value?: unknown; color?: unknown };

/** The tooltip of an axis-triggered chart: the category, then each series with a value, formatted. */
export const axisTooltip =
  (format: (value: number, series: string) => string = (v) => v.toLocaleString()) =>
  (params: AxisParam | AxisParam[]): HTMLElement => {
    const list = Array.isArray(params) ? params : [params];
    const rows = list
      .filter((p): p is AxisParam & { value: number } => typeof p.value === 'number')
      .map((p) => ({ color: typeof p.color === 'string' ? p.color : undefined, label: p.seriesName ?? '', value: format(p.value, p.seriesName ?? '') }));
    return tooltipNode(list[0]?.axisValueLabel ?? list[0]?.name ?? '', rows);
  };

/**
 * A name placed in a rich-text label (`{style|text}` markup, drawn on the canvas): a zero-width
 * space after each `{` keeps the name from opening a style of its own; it still reads the same.
 */
export const richTextLiteral = (text: string): string => text.replaceAll('{', '{\u200b');
