/**
 * Bar charts as inline SVG, drawn on the server: the dashboard needs no script, no web font and nothing
 * from another host, so it works on a locked-down council laptop and prints as it looks.
 *
 * Every chart is an image with a title and a description read out by screen readers; its numbers are also
 * in the HTML table printed under it, so nobody depends on the picture.
 */

export interface Series {
  name: string;
  colour: string;
}

export interface Bar {
  label: string;
  /** One value per series, stacked left to right in the series' order. */
  values: number[];
}

export interface BarChart {
  /** Unique on the page: the title and description are referred to by id. */
  id: string;
  title: string;
  /** One sentence saying what the chart shows, for people who cannot see it. */
  summary: string;
  series: Series[];
  bars: Bar[];
  /** Shown instead of the chart when every bar is zero. */
  empty: string;
}

/** Colours from the Okabe-Ito palette, told apart by people with the common colour-vision deficiencies. */
export const colours = {
  blue: '#0072B2',
  green: '#009E73',
  vermillion: '#D55E00',
  orange: '#E69F00',
  purple: '#CC79A7',
  sky: '#56B4E9',
  grey: '#8C8C8C',
} as const;

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const width = 720;
const labelWidth = 300;
const valueGap = 6;
const totalWidth = 56;
const barArea = width - labelWidth - totalWidth;
const rowHeight = 26;
const barHeight = 18;
const legendHeight = 26;
const maxLabel = 46;

function shorten(label: string): string {
  return label.length > maxLabel ? `${label.slice(0, maxLabel - 1)}…` : label;
}

function total(bar: Bar): number {
  return bar.values.reduce((a, b) => a + b, 0);
}

function legend(series: Series[]): string {
  let x = labelWidth;
  return series
    .map((s) => {
      const item =
        `<rect x="${x}" y="4" width="12" height="12" fill="${s.colour}"/>` +
        `<text x="${x + 16}" y="14" class="legend">${escapeHtml(s.name)}</text>`;
      x += 28 + s.name.length * 7;
      return item;
    })
    .join('');
}

function barRow(bar: Bar, series: Series[], y: number, scale: number): string {
  let x = labelWidth;
  const segments = bar.values.map((value, i) => {
    const w = value * scale;
    const s = series[i] as Series;
    const rect =
      value > 0
        ? `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="${barHeight}" fill="${s.colour}">` +
          `<title>${escapeHtml(`${bar.label}: ${s.name} ${value}`)}</title></rect>`
        : '';
    x += w;
    return rect;
  });
  const mid = y + barHeight / 2 + 4;
  return (
    `<text x="${labelWidth - valueGap}" y="${mid}" text-anchor="end" class="label">${escapeHtml(shorten(bar.label))}</text>` +
    segments.join('') +
    `<text x="${(x + valueGap).toFixed(1)}" y="${mid}" class="value">${total(bar)}</text>`
  );
}

/**
 * A horizontal bar chart; with several series the bars are stacked and a legend is drawn. Bars are scaled to
 * the longest one, so the chart reads as proportions; the exact numbers are at the end of each bar.
 */
export function barChart(chart: BarChart): string {
  if (chart.bars.length === 0 || chart.bars.every((b) => total(b) === 0)) {
    return `<p class="empty">${escapeHtml(chart.empty)}</p>`;
  }
  const top = chart.series.length > 1 ? legendHeight : 4;
  const height = top + chart.bars.length * rowHeight + 4;
  const longest = Math.max(...chart.bars.map(total));
  const scale = barArea / longest;
  const rows = chart.bars.map((bar, i) => barRow(bar, chart.series, top + i * rowHeight, scale)).join('');
  const titleId = `${chart.id}-title`;
  const descId = `${chart.id}-desc`;
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `aria-labelledby="${titleId} ${descId}" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${titleId}">${escapeHtml(chart.title)}</title>` +
    `<desc id="${descId}">${escapeHtml(chart.summary)}</desc>` +
    (chart.series.length > 1 ? legend(chart.series) : '') +
    `<line x1="${labelWidth}" x2="${labelWidth}" y1="${top - 2}" y2="${height - 2}" class="axis"/>` +
    rows +
    '</svg>'
  );
}
