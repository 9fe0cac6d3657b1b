/**
 * A dependency-free SVG writer for grouped bar charts, used by the benchmarks: each panel has groups
 * (for example filters) along the x axis and one bar per series (for example tools or engines) in each
 * group, a linear y axis from zero, optional horizontal reference lines (targets), and a legend.
 * Panels are stacked vertically in one SVG document.
 */

/** One series of a grouped bar chart: one value per group; null marks a value that was not measured. */
export interface BarChartSeries {
  name: string;
  values: readonly (number | null)[];
}

/** A horizontal line across a panel at `value` (a target, a ratio of 1). */
export interface BarChartReferenceLine {
  value: number;
  label: string;
}

/** One panel: a title, the unit of its values, its groups and its series. */
export interface BarChartPanel {
  title: string;
  unit: string;
  groups: readonly string[];
  series: readonly BarChartSeries[];
  referenceLines?: readonly BarChartReferenceLine[];
  /** Linear from zero (default), or logarithmic by decades for values spanning orders of magnitude. */
  scale?: 'linear' | 'log';
}

/** Layout options of the whole document. */
export interface BarChartOptions {
  /** Document title shown above the first panel. */
  title?: string;
  /** Width of one bar in pixels; default 14. */
  barWidth?: number;
  /** Height of a panel's plot area in pixels; default 240. */
  plotHeight?: number;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const MARGIN_LEFT = 70;
const MARGIN_RIGHT = 180;
const PANEL_TOP = 40;
/** Group labels slant up to the left by this many degrees, their ends under their group. */
const LABEL_ANGLE = 35;
/** Approximate width of one character at the 11-pixel label font. */
const CHARACTER_WIDTH = 6.2;

const labelWidth = (text: string): number => [...text].length * CHARACTER_WIDTH;

/** Height below the plot that the slanted group labels need. */
function labelSpace(groups: readonly string[]): number {
  return Math.max(40, Math.sin((LABEL_ANGLE * Math.PI) / 180) * Math.max(...groups.map(labelWidth)) + 24);
}

/** Left margin so that no slanted group label of any panel runs past the left edge. */
function leftMargin(panels: readonly BarChartPanel[], barWidth: number): number {
  let margin = MARGIN_LEFT;
  for (const panel of panels) {
    const groupWidth = panel.series.length * barWidth + GROUP_GAP;
    panel.groups.forEach((group, g) => {
      const anchor = GROUP_GAP / 2 + g * groupWidth + (panel.series.length * barWidth) / 2;
      margin = Math.max(margin, Math.cos((LABEL_ANGLE * Math.PI) / 180) * labelWidth(group) - anchor + 10);
    });
  }
  return Math.ceil(margin);
}
const GROUP_GAP = 12;

/** Escapes text for an XML text node or a double-quoted attribute value (and drops characters XML 1.0 forbids). */
export function escapeXmlText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Formats a number for an attribute: at most two decimals, no exponent. */
function coordinate(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

/** Formats a value for a label: three significant digits. */
export function formatChartValue(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toString();
  return Number(value.toPrecision(3)).toString();
}

/** A "nice" linear axis from zero: its maximum and tick step (1, 2 or 5 times a power of ten) covering `maximum`. */
export function niceAxis(maximum: number): { bottom: number; top: number; step: number } {
  if (!(maximum > 0)) return { bottom: 0, top: 1, step: 0.25 };
  const rough = maximum / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  // Values near the bottom of the double range (denormals) underflow the step: one tick at the maximum then.
  if (!(step > 0) || !Number.isFinite(step)) return { bottom: 0, top: maximum, step: maximum };
  return { bottom: 0, top: Math.ceil(maximum / step) * step, step };
}

/** A logarithmic axis by whole decades covering every positive value (1 to 10 when there is none). */
export function logAxis(values: readonly number[]): { bottom: number; top: number; step: number } {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return { bottom: 1, top: 10, step: 10 };
  const bottom = Math.max(1e-300, 10 ** Math.floor(Math.log10(Math.min(...positive))));
  let top = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
  if (top <= bottom) top = bottom * 10;
  return { bottom, top, step: 10 };
}

function linearTicks(top: number, step: number): number[] {
  const count = Math.min(20, Math.round(top / step));
  const ticks: number[] = [];
  for (let i = 0; i <= (Number.isFinite(count) ? count : 1); i++) ticks.push(Number.isFinite(count) ? i * step : i * top);
  return ticks;
}

function decades(bottom: number, top: number): number[] {
  const ticks: number[] = [];
  const last = Math.round(Math.log10(top));
  for (let power = Math.max(Math.round(Math.log10(bottom)), last - 40); power <= last; power++) ticks.push(10 ** power);
  return ticks;
}

function checkPanel(panel: BarChartPanel, index: number): void {
  const where = `chart panel ${index} (${JSON.stringify(panel.title)})`;
  if (panel.groups.length === 0) throw new RangeError(`${where}: needs at least one group`);
  if (panel.series.length === 0) throw new RangeError(`${where}: needs at least one series`);
  for (const series of panel.series) {
    if (series.values.length !== panel.groups.length) {
      throw new RangeError(`${where}: series ${JSON.stringify(series.name)} has ${series.values.length} values for ${panel.groups.length} groups`);
    }
    series.values.forEach((value, group) => {
      if (value !== null && !(Number.isFinite(value) && value >= 0)) {
        throw new RangeError(`${where}: series ${JSON.stringify(series.name)} group ${JSON.stringify(panel.groups[group])}: ${value} is not a finite non-negative number`);
      }
    });
  }
  for (const line of panel.referenceLines ?? []) {
    if (!(Number.isFinite(line.value) && line.value >= 0)) throw new RangeError(`${where}: reference line ${JSON.stringify(line.label)}: ${line.value} is not a finite non-negative number`);
  }
}

/** Renders one panel at vertical offset `top`; returns its SVG elements and its height. */
function renderPanel(panel: BarChartPanel, top: number, left: number, width: number, options: Required<Omit<BarChartOptions, 'title'>>): { parts: string[]; height: number } {
  const { barWidth, plotHeight } = options;
  const groupWidth = panel.series.length * barWidth + GROUP_GAP;
  const plotTop = top + PANEL_TOP;
  const plotBottom = plotTop + plotHeight;
  const measured = panel.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const maximum = Math.max(0, ...measured, ...(panel.referenceLines ?? []).map((l) => l.value));
  const axis = panel.scale === 'log' ? logAxis([...measured, ...(panel.referenceLines ?? []).map((l) => l.value)]) : niceAxis(maximum);
  const y = panel.scale === 'log'
    ? (value: number): number => (value <= axis.bottom ? plotBottom : plotBottom - (Math.log10(value / axis.bottom) / Math.log10(axis.top / axis.bottom)) * plotHeight)
    : (value: number): number => plotBottom - (value / axis.top) * plotHeight;
  const ticks = panel.scale === 'log' ? decades(axis.bottom, axis.top) : linearTicks(axis.top, axis.step);
  const parts: string[] = [];
  parts.push(`<g class="panel">`);
  parts.push(`<text class="panel-title" x="${left}" y="${coordinate(top + 22)}" font-size="15" font-weight="bold">${escapeXmlText(panel.title)}</text>`);
  // Axis, grid and tick labels.
  for (const tick of ticks) {
    const ty = coordinate(y(tick));
    parts.push(`<line class="grid" x1="${left}" x2="${coordinate(width - MARGIN_RIGHT)}" y1="${ty}" y2="${ty}" stroke="#e0e0e0"/>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle" font-size="11">${escapeXmlText(formatChartValue(tick))}</text>`);
  }
  parts.push(`<line class="axis" x1="${left}" x2="${left}" y1="${coordinate(plotTop)}" y2="${coordinate(plotBottom)}" stroke="#333"/>`);
  parts.push(`<line class="axis" x1="${left}" x2="${coordinate(width - MARGIN_RIGHT)}" y1="${coordinate(plotBottom)}" y2="${coordinate(plotBottom)}" stroke="#333"/>`);
  parts.push(`<text class="unit" x="16" y="${coordinate((plotTop + plotBottom) / 2)}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${coordinate((plotTop + plotBottom) / 2)})">${escapeXmlText(panel.unit)}</text>`);
  // Bars.
  panel.groups.forEach((group, g) => {
    const groupLeft = left + GROUP_GAP / 2 + g * groupWidth;
    panel.series.forEach((series, s) => {
      const value = series.values[g]!;
      const x = groupLeft + s * barWidth;
      const color = PALETTE[s % PALETTE.length]!;
      const label = `${series.name} / ${group}`;
      if (value === null) {
        parts.push(`<text class="missing" x="${coordinate(x + barWidth / 2)}" y="${coordinate(plotBottom - 4)}" font-size="9" text-anchor="middle" fill="#999" transform="rotate(-90 ${coordinate(x + barWidth / 2)} ${coordinate(plotBottom - 4)})" dominant-baseline="middle">n/a<title>${escapeXmlText(label)}: not measured</title></text>`);
        return;
      }
      const barTop = y(value);
      parts.push(`<rect class="bar" x="${coordinate(x)}" y="${coordinate(barTop)}" width="${coordinate(barWidth - 2)}" height="${coordinate(plotBottom - barTop)}" fill="${color}" data-series="${escapeXmlText(series.name)}" data-group="${escapeXmlText(group)}" data-value="${value}"><title>${escapeXmlText(`${label}: ${formatChartValue(value)} ${panel.unit}`)}</title></rect>`);
    });
    const labelX = coordinate(groupLeft + (panel.series.length * barWidth) / 2);
    const labelY = coordinate(plotBottom + 12);
    parts.push(`<text class="group" x="${labelX}" y="${labelY}" font-size="11" text-anchor="end" transform="rotate(-${LABEL_ANGLE} ${labelX} ${labelY})">${escapeXmlText(group)}</text>`);
  });
  // Reference lines.
  for (const line of panel.referenceLines ?? []) {
    const ly = coordinate(y(line.value));
    parts.push(`<line class="reference" x1="${left}" x2="${coordinate(width - MARGIN_RIGHT)}" y1="${ly}" y2="${ly}" stroke="#c00" stroke-dasharray="5 3"/>`);
    parts.push(`<text class="reference-label" x="${coordinate(width - MARGIN_RIGHT + 4)}" y="${ly}" font-size="11" fill="#c00" dominant-baseline="middle">${escapeXmlText(line.label)}</text>`);
  }
  // Legend.
  panel.series.forEach((series, s) => {
    const ly = plotTop + 4 + s * 16;
    parts.push(`<rect class="legend-swatch" x="${coordinate(width - MARGIN_RIGHT + 4)}" y="${coordinate(ly)}" width="10" height="10" fill="${PALETTE[s % PALETTE.length]!}"/>`);
    parts.push(`<text class="legend" x="${coordinate(width - MARGIN_RIGHT + 18)}" y="${coordinate(ly + 9)}" font-size="11">${escapeXmlText(series.name)}</text>`);
  });
  parts.push('</g>');
  return { parts, height: PANEL_TOP + plotHeight + labelSpace(panel.groups) };
}

/**
 * Renders panels of grouped bars as one standalone SVG document (one `rect.bar` per measured value,
 * an "n/a" mark per null); throws RangeError naming the panel, series and group of a bad value.
 */
export function renderBarChartSvg(panels: readonly BarChartPanel[], options: BarChartOptions = {}): string {
  if (panels.length === 0) throw new RangeError('renderBarChartSvg: needs at least one panel');
  panels.forEach(checkPanel);
  const layout = { barWidth: options.barWidth ?? 14, plotHeight: options.plotHeight ?? 240 };
  const widest = Math.max(...panels.map((p) => p.groups.length * (p.series.length * layout.barWidth + GROUP_GAP)));
  const left = leftMargin(panels, layout.barWidth);
  const width = left + widest + MARGIN_RIGHT;
  const body: string[] = [];
  let top = 0;
  if (options.title !== undefined) {
    body.push(`<text class="title" x="${left}" y="24" font-size="17" font-weight="bold">${escapeXmlText(options.title)}</text>`);
    top = 30;
  }
  for (const panel of panels) {
    const rendered = renderPanel(panel, top, left, width, layout);
    body.push(...rendered.parts);
    top += rendered.height;
  }
  const height = Math.ceil(top);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
