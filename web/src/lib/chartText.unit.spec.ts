// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { axisTooltip, richTextLiteral, tooltipNode } from './chartText.ts';

const hostile = `New<img src=x onerror="window.__xss=1">`;

describe('chart tooltips are text', () => {
  it('puts a hostile name in as text: no element comes from it', () => {
    const node = tooltipNode(hostile, [{ label: `"><svg onload=alert(1)>`, value: '<b>3</b>', color: '#4F46E5' }]);
    expect(node.querySelector('img, svg, b, script')).toBeNull();
    expect(node.querySelector('.chart-tooltip__title')!.textContent).toBe(hostile);
    expect(node.querySelector('.chart-tooltip__row')!.textContent).toBe(`"><svg onload=alert(1)><b>3</b>`);
  });

  it('shows the category, then each series that has a value, formatted', () => {
    const node = axisTooltip((v, series) => `${series}: ${v * 2}`)([
      { axisValueLabel: hostile, seriesName: 'Open leads', value: 3, color: '#4F46E5' },
      { axisValueLabel: hostile, seriesName: 'Cap', value: undefined, color: '#b91c1c' },
    ]);
    expect(node.querySelector('.chart-tooltip__title')!.textContent).toBe(hostile);
    expect([...node.querySelectorAll('.chart-tooltip__row')].map((r) => r.textContent)).toEqual(['Open leadsOpen leads: 6']);
    expect(node.querySelector('img')).toBeNull();
  });
});

describe('richTextLiteral', () => {
  // zrender's own pattern for {style|text} in rich-text labels.
  const STYLE_TAG = /\{([a-zA-Z0-9_]+)\|([^}]*)\}/g;

  it('keeps a name from opening a rich-text style, and reads the same', () => {
    const name = 'Deal {pct|99%} won';
    expect(name.match(STYLE_TAG)).not.toBeNull();
    expect(richTextLiteral(name).match(STYLE_TAG)).toBeNull();
    expect(richTextLiteral(name).replaceAll('\u200b', '')).toBe(name);
  });
});
