import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeXmlText, logAxis, niceAxis, renderBarChartSvg, type BarChartPanel } from '../../bench/chart.js';
import { parseXml } from './xml.js';

/** Panels with awkward labels (markup characters, quotes, non-ASCII, control characters) and missing values. */
const awkwardLabel = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('a<b', 'x & y', '"quoted"', "it's", 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', ']]>', '\u0001bell', 'ü → ✓'));
/** A measured figure: zero or a positive number across twelve orders of magnitude (no subnormals, whose ratios overflow). */
const measurement = fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e6, noNaN: true }));
const panelArbitrary = fc.integer({ min: 1, max: 6 }).chain((groups) => fc.record({
  title: awkwardLabel,
  unit: awkwardLabel,
  groups: fc.array(awkwardLabel, { minLength: groups, maxLength: groups }),
  series: fc.array(fc.record({
    name: awkwardLabel,
    values: fc.array(fc.option(measurement, { nil: null }), { minLength: groups, maxLength: groups }),
  }), { minLength: 1, maxLength: 4 }),
  referenceLines: fc.option(fc.array(fc.record({ value: measurement, label: awkwardLabel }), { maxLength: 2 }), { nil: undefined }),
  scale: fc.constantFrom(undefined, 'linear' as const, 'log' as const),
}, { requiredKeys: ['title', 'unit', 'groups', 'series'] }));

describe('renderBarChartSvg', () => {
  it('writes well-formed SVG with exactly one bar per measured value, heights proportional to the values', () => {
    fc.assert(fc.property(fc.array(panelArbitrary, { minLength: 1, maxLength: 3 }), fc.option(awkwardLabel, { nil: undefined }), (panels: BarChartPanel[], title) => {
      const svg = renderBarChartSvg(panels, title === undefined ? {} : { title });
      const { root, elements } = parseXml(svg);
      expect(root.name).toBe('svg');
      expect(root.attributes.get('xmlns')).toBe('http://www.w3.org/2000/svg');
      const panelElements = root.children.filter((e) => e.name === 'g' && e.attributes.get('class') === 'panel');
      expect(panelElements).toHaveLength(panels.length);
      panels.forEach((panel, p) => {
        const bars = panelElements[p]!.children.filter((e) => e.name === 'rect' && e.attributes.get('class') === 'bar');
        const measured = panel.series.flatMap((s) => s.values.flatMap((v, g) => (v === null ? [] : [{ series: s.name, group: panel.groups[g]!, value: v }])));
        expect(bars).toHaveLength(measured.length);
        const missing = panelElements[p]!.children.filter((e) => e.attributes.get('class') === 'missing');
        expect(missing).toHaveLength(panel.series.length * panel.groups.length - measured.length);
        // Bars come in series-within-group order and carry their value; their heights share one scale.
        const expectedOrder = panel.groups.flatMap((group, g) => panel.series.flatMap((s) => (s.values[g] === null ? [] : [{ series: s.name, group, value: s.values[g]! }])));
        bars.forEach((bar, i) => {
          expect(Number(bar.attributes.get('data-value'))).toBe(expectedOrder[i]!.value);
          expect(bar.attributes.get('data-group')).toBe(escapeAndDecode(expectedOrder[i]!.group));
          expect(bar.attributes.get('data-series')).toBe(escapeAndDecode(expectedOrder[i]!.series));
          expect(Number(bar.attributes.get('height'))).toBeGreaterThanOrEqual(0);
        });
        const valueOf = (bar: (typeof bars)[number]): number => Number(bar.attributes.get('data-value'));
        const heightOf = (bar: (typeof bars)[number]): number => Number(bar.attributes.get('height'));
        if (panel.scale === 'log') {
          // Log scale: a larger value never has a shorter bar (heights are rounded to 0.01 px).
          for (const a of bars) for (const b of bars) if (valueOf(a) < valueOf(b)) expect(heightOf(a)).toBeLessThanOrEqual(heightOf(b) + 0.01);
        } else {
          // Linear scale from zero: height / value is the same for every bar, up to the 0.01 px rounding.
          const scaled = bars.filter((b) => valueOf(b) > 1e-3 * Math.max(...measured.map((m) => m.value)));
          const scales = scaled.map((b) => heightOf(b) / valueOf(b));
          for (const scale of scales) expect(Math.abs(scale - scales[0]!)).toBeLessThanOrEqual(0.02 / Math.min(...scaled.map(valueOf)) + 1e-9);
        }
        // No bar reaches above the plot: the tallest measured value or reference line fits under the axis top.
        for (const bar of bars) expect(Number(bar.attributes.get('y'))).toBeGreaterThanOrEqual(0);
      });
      expect(elements.filter((e) => e.name === 'rect' && e.attributes.get('class') === 'bar').length)
        .toBe(panels.reduce((sum, p) => sum + p.series.reduce((s, series) => s + series.values.filter((v) => v !== null).length, 0), 0));
    }), { numRuns: 150 });
  });

  it('refuses bad values, naming the panel, the series and the group', () => {
    const panel = (values: (number | null)[]): BarChartPanel => ({ title: 'T', unit: 'x', groups: ['g1', 'g2'], series: [{ name: 'engine', values }] });
    expect(() => renderBarChartSvg([panel([1])])).toThrow(/panel 0 \("T"\): series "engine" has 1 values for 2 groups/);
    expect(() => renderBarChartSvg([panel([1, -2])])).toThrow(/series "engine" group "g2": -2 is not a finite non-negative number/);
    expect(() => renderBarChartSvg([panel([Number.NaN, 1])])).toThrow(/group "g1": NaN/);
    expect(() => renderBarChartSvg([panel([Infinity, 1])])).toThrow(/Infinity/);
    expect(() => renderBarChartSvg([])).toThrow(/at least one panel/);
    expect(() => renderBarChartSvg([{ title: 'E', unit: 'x', groups: [], series: [] }])).toThrow(/at least one group/);
  });

  it('escapes text so that any label survives a round trip through an XML parser', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      const { root } = parseXml(`<a b="${escapeXmlText(text)}">${escapeXmlText(text)}</a>`);
      expect(root.attributes.get('b')).toBe(escapeAndDecode(text));
      expect(root.text).toBe(escapeAndDecode(text));
    }), { numRuns: 300 });
  });
});

describe('the XML checker the tests rely on', () => {
  it('rejects documents that are not well-formed', () => {
    for (const bad of ['<a>', '<a></b>', '<a b=c/>', '<a b="1" b="2"/>', '<a>x & y</a>', '<a>&nbsp;</a>', '<a b="<"/>', '<a/><b/>', 'text<a/>', '<a></a>tail']) {
      expect(() => parseXml(bad), bad).toThrow();
    }
    expect(parseXml('<?xml version="1.0"?>\n<a x="&lt;&#65;"><b/>t&amp;</a>\n').root.attributes.get('x')).toBe('<A');
  });
});

describe('logAxis', () => {
  it('spans whole decades around every positive value', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 8 }), (values) => {
      const { bottom, top } = logAxis(values);
      for (const v of values) { expect(v).toBeGreaterThanOrEqual(bottom * (1 - 1e-9)); expect(v).toBeLessThanOrEqual(top * (1 + 1e-9)); }
      expect(Math.abs(Math.log10(bottom) - Math.round(Math.log10(bottom)))).toBeLessThan(1e-9);
      expect(Math.abs(Math.log10(top) - Math.round(Math.log10(top)))).toBeLessThan(1e-9);
      expect(top).toBeGreaterThan(bottom);
    }), { numRuns: 300 });
  });
});

describe('niceAxis', () => {
  it('covers the maximum with a 1-2-5 step and at most eight steps', () => {
    fc.assert(fc.property(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (maximum) => {
      const { top, step } = niceAxis(maximum);
      expect(top).toBeGreaterThanOrEqual(maximum);
      const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
      expect(top / step).toBeLessThanOrEqual(8 + 1e-9);
      expect(top / step).toBeGreaterThanOrEqual(1 - 1e-9);
    }), { numRuns: 500 });
  });
});

/** What a label reads as after escaping and XML parsing: the text without the characters XML 1.0 cannot hold. */
function escapeAndDecode(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
}
