/**
 * `distribution-comparison`: for each row (feature, channel, layer), its distribution at each stage.
 * Histogram presentation: a rows × stages grid of histograms with mean and ±1 std marked.
 * Violin presentation: one panel per stage, one violin (the mirrored histogram) per row.
 */
import type { BarData, LayoutAxis, ScatterData, Shape, Annotation } from 'plotly.js-dist';
import type { Distribution, DistributionComparisonPlot, DistributionRow, Moments } from '../../src/shared/payload';
import { escapePlotText, formatNumber } from '../format';
import { withAlpha } from '../palette';
import {
  axisId,
  columnSpan,
  exponentFormat,
  layoutKey,
  paddedRange,
  plainLabel,
  round,
  wrapText,
  type Box,
  type Canvas,
  type Drawn,
  type KindDrawer,
} from './common';

/** Pixel geometry of the distribution grid. Heights are fixed so the figure grows with the row count. */
export const GRID = {
  /** Height of one histogram cell. */
  cell: 118,
  /** Height of one cell in a small-multiples panel. */
  compactCell: 72,
  /** Space above each row for its label. */
  rowLabel: 24,
  /** Space below each row for its x tick labels. */
  ticks: 26,
  /** Space above the grid for the stage (column) titles. */
  stageHeader: 26,
  /** Horizontal gap between columns, as a fraction of the plot width. */
  columnGap: 0.075,
} as const;

const HISTOGRAM_KEY = 'bars: histogram · solid line: mean · shaded: mean ± 1 std';
const VIOLIN_KEY = 'violins: histograms mirrored · dot and bar: mean ± 1 std';

/** A column shares one x axis across rows when no row's span is much narrower than the union (it is standardized). */
const SHARE_SPAN_RATIO = 10;

function span(edges: number[]): [number, number] {
  return [edges[0]!, edges[edges.length - 1]!];
}

function valueLabel(plot: DistributionComparisonPlot): { label: string; unit?: string } {
  return { label: plot.valueLabel, unit: plot.valueUnit };
}

export const distributionComparison: KindDrawer<DistributionComparisonPlot> = {
  defaultTitle: 'Distribution comparison',
  hovermode: 'closest',

  sides: () => ({ left: 58, right: 14 }),

  measure(plot, _canvas, _width, compact) {
    if (plot.presentation === 'violin') return { height: compact ? 170 : 300, header: GRID.stageHeader };
    const cell = compact ? GRID.compactCell : GRID.cell;
    return { height: plot.rows.length * (GRID.rowLabel + cell + GRID.ticks) - GRID.ticks, header: GRID.stageHeader };
  },

  draw(plot, canvas, box, compact) {
    return plot.presentation === 'violin' ? drawViolins(plot, canvas, box, compact) : drawHistograms(plot, canvas, box, compact);
  },

  styleKey: (plot) => (plot.presentation === 'violin' ? VIOLIN_KEY : HISTOGRAM_KEY),

  arms: () => [],

  describe(plot) {
    const rows = plot.rows;
    const shape = plot.presentation === 'violin' ? 'Violins' : 'Histograms';
    const head =
      `${shape} of ${plot.valueLabel || 'values'} in a grid of ${rows.length} ` +
      `row${rows.length === 1 ? '' : 's'} by ${plot.stages.length} column${plot.stages.length === 1 ? '' : 's'} ` +
      `(${plot.stages.join(', ')}).`;
    const shown = rows.slice(0, 8).map((row) => {
      const parts = row.distributions.map((d, s) => {
        const m = d.moments;
        return `${plot.stages[s]}: mean ${formatNumber(m.mean, m.std / 100 || undefined)}, std ${formatNumber(m.std)}`;
      });
      return `${row.label}: ${parts.join('; ')}.`;
    });
    const more = rows.length > 8 ? ` And ${rows.length - 8} more rows.` : '';
    return [head, ...shown].join(' ') + more;
  },
};

/** Geometry and shared choices of a histogram grid (rows × stages), computed once per draw. */
interface HistogramGrid {
  plot: DistributionComparisonPlot;
  canvas: Canvas;
  box: Box;
  compact: boolean;
  cell: number;
  colWidth: number;
  /** Per stage: the shared x range of the column, or undefined when each cell has its own. */
  columnRange: Array<[number, number] | undefined>;
  /** Axis number of each column's top cell (the cells below match its x axis when shared). */
  firstK: number[];
}

function drawHistograms(plot: DistributionComparisonPlot, canvas: Canvas, box: Box, compact: boolean): Drawn {
  const nCols = plot.stages.length;
  const grid: HistogramGrid = {
    plot,
    canvas,
    box,
    compact,
    cell: compact ? GRID.compactCell : GRID.cell,
    colWidth: (1 - GRID.columnGap * (nCols - 1)) / nCols,
    columnRange: sharedColumnRanges(plot),
    firstK: [],
  };
  plot.rows.forEach((row, r) => {
    // Head room above the tallest bar of the row for the mean/std note in the top-right corner of each cell.
    const yMax = Math.max(1, ...row.distributions.flatMap((d) => d.histogram.counts)) * 1.32;
    row.distributions.forEach((dist, s) => drawHistogramCell(grid, row, dist, r, s, yMax));
    rowLabel(grid, row, r);
  });
  const theme = canvas.theme;
  plot.stages.forEach((stage, s) => {
    const [x0, x1] = columnDomain(grid, s);
    canvas.header(stage, (x0 + x1) / 2, box.top, { size: compact ? theme.fontSize : theme.fontSize + 1 });
  });
  // Counts are not comparable across cells of different widths: a small-multiples grid does not link them.
  return { valueAxes: [] };
}

function columnDomain(grid: HistogramGrid, s: number): [number, number] {
  const { box, colWidth } = grid;
  const boxWidth = box.x1 - box.x0;
  const x0 = s * (colWidth + GRID.columnGap);
  return [round(box.x0 + x0 * boxWidth), round(box.x0 + Math.min(1, x0 + colWidth) * boxWidth)];
}

function rowDomain(grid: HistogramGrid, r: number): [number, number] {
  const top = grid.box.top + r * (GRID.rowLabel + grid.cell + GRID.ticks) + GRID.rowLabel;
  return [grid.canvas.y(top + grid.cell), grid.canvas.y(top)];
}

/**
 * Columns whose rows live on comparable scales (e.g. after normalization) share one x axis, unless the
 * payload says otherwise (`shareAxis`).
 */
function sharedColumnRanges(plot: DistributionComparisonPlot): Array<[number, number] | undefined> {
  const nRows = plot.rows.length;
  return plot.stages.map((_, s) => {
    const spans = plot.rows.map((row) => span(row.distributions[s]!.histogram.edges));
    const lo = Math.min(...spans.map((x) => x[0]));
    const hi = Math.max(...spans.map((x) => x[1]));
    const narrowest = Math.min(...spans.map(([a, b]) => b - a));
    const flag = plot.shareAxis?.[s];
    const auto = nRows > 1 && narrowest > 0 && hi - lo <= SHARE_SPAN_RATIO * narrowest;
    return (flag ?? auto) && nRows > 1 ? paddedRange(lo, hi) : undefined;
  });
}

/** Mean and std as shown in a cell, with as many digits as the spread (or the bin width) asks for. */
function momentTexts(dist: Distribution): { meanText: string; stdText: string; edgeRes: number | undefined } {
  const { edges, counts } = dist.histogram;
  const { mean, std } = dist.moments;
  const [lo, hi] = span(edges);
  const binWidth = (hi - lo) / Math.max(1, counts.length);
  const edgeRes = binWidth > 0 ? binWidth / 10 : undefined;
  return { meanText: formatNumber(mean, std > 0 ? std / 100 : edgeRes), stdText: formatNumber(std, std > 0 ? std / 1000 : undefined), edgeRes };
}

/** One cell: the histogram's bars, its mean and ±1 std marks, and its axes. */
function drawHistogramCell(grid: HistogramGrid, row: DistributionRow, dist: Distribution, r: number, s: number, yMax: number): void {
  const k = grid.canvas.nextAxis();
  if (r === 0) grid.firstK.push(k);
  const xName = axisId('x', k);
  const yName = axisId('y', k);
  const texts = momentTexts(dist);
  grid.canvas.data.push(histogramBars(grid, row, dist, s, xName, yName, texts));
  markMoments(grid.canvas, dist.moments, xName, yName, texts);
  cellAxes(grid, dist, r, s, k, yMax);
}

function histogramBars(
  grid: HistogramGrid,
  row: DistributionRow,
  dist: Distribution,
  s: number,
  xName: string,
  yName: string,
  texts: ReturnType<typeof momentTexts>,
): BarData {
  const { canvas, plot } = grid;
  const theme = canvas.theme;
  const opaque = canvas.opaque;
  const { edges, counts } = dist.histogram;
  const [lo, hi] = span(edges);
  const degenerateWidth = paddedRange(lo, hi);
  const { edgeRes, meanText, stdText } = texts;
  const centres: number[] = [];
  const widths: number[] = [];
  const hover: string[] = [];
  counts.forEach((count, i) => {
    const a = edges[i]!;
    const b = edges[i + 1]!;
    const w = b > a ? b - a : (degenerateWidth[1] - degenerateWidth[0]) / 20;
    centres.push((a + b) / 2);
    // Without a paper colour to outline bars with, leave a small gap between them instead.
    widths.push(opaque || theme.highContrast ? w : w * 0.92);
    const closing = i === counts.length - 1 ? ']' : ')';
    hover.push(
      `<b>${escapePlotText(row.label)}</b> · ${escapePlotText(plot.stages[s]!)}<br>` +
        `bin [${formatNumber(a, edgeRes)}, ${formatNumber(b, edgeRes)}${closing}<br>` +
        `count ${formatNumber(count, 1)}<br>` +
        `mean ${meanText} · std ${stdText}`,
    );
  });
  const bar: Partial<BarData> = {
    type: 'bar',
    name: `${row.label} · ${plot.stages[s]}`,
    x: centres,
    y: counts,
    width: widths,
    xaxis: xName,
    yaxis: yName,
    marker: {
      color: theme.series[0] ?? '#1a85ff',
      opacity: theme.highContrast ? 1 : 0.85,
      line: theme.highContrast
        ? { color: theme.contrastBorder, width: 1 }
        : { color: opaque ? theme.background : 'rgba(0,0,0,0)', width: opaque ? 0.6 : 0 },
    },
    hovertext: hover,
    hovertemplate: '%{hovertext}<extra></extra>',
    showlegend: false,
  };
  return bar as BarData;
}

/** The ±1 std band (behind the bars), its dotted edges and the mean line (in front), and the corner note. */
function markMoments(canvas: Canvas, moments: Moments, xName: string, yName: string, texts: { meanText: string; stdText: string }): void {
  const theme = canvas.theme;
  const meanColor = theme.series[1] ?? '#d18616';
  const { mean, std } = moments;
  const domainY = `${yName} domain` as Shape['yref'];
  const vertical = (x: number, line: Partial<Shape>['line']): Partial<Shape> => ({
    type: 'line',
    layer: 'above',
    xref: xName as Shape['xref'],
    yref: domainY,
    x0: x,
    x1: x,
    y0: 0,
    y1: 1,
    line,
  });
  if (std > 0) {
    canvas.shapes.push({
      type: 'rect',
      layer: 'below',
      xref: xName as Shape['xref'],
      yref: domainY,
      x0: mean - std,
      x1: mean + std,
      y0: 0,
      y1: 1,
      fillcolor: meanColor,
      opacity: theme.highContrast ? 0.25 : theme.kind === 'dark' ? 0.16 : 0.12,
      line: { width: 0 },
    });
    for (const x of [mean - std, mean + std]) canvas.shapes.push(vertical(x, { color: meanColor, width: Math.max(1, theme.lineWidth - 1), dash: 'dot' }));
  }
  canvas.shapes.push(vertical(mean, { color: meanColor, width: theme.lineWidth }));
  canvas.annotations.push({
    xref: `${xName} domain` as Annotation['xref'],
    yref: `${yName} domain` as Annotation['yref'],
    x: 1,
    y: 1,
    xanchor: 'right',
    yanchor: 'top',
    showarrow: false,
    align: 'right',
    text: `mean ${texts.meanText} · std ${texts.stdText}`,
    font: { size: canvas.smallSize, color: theme.highContrast ? theme.foreground : theme.mutedForeground },
    ...(canvas.opaque ? { bgcolor: theme.background } : {}),
    borderpad: 1,
  });
}

/** The cell's x axis (its own range or the column's shared one) and its count axis (the row's range). */
function cellAxes(grid: HistogramGrid, dist: Distribution, r: number, s: number, k: number, yMax: number): void {
  const { canvas, plot, compact } = grid;
  const theme = canvas.theme;
  const xName = axisId('x', k);
  const yName = axisId('y', k);
  const [lo, hi] = span(dist.histogram.edges);
  const shared = grid.columnRange[s];
  // About one tick per 48 px of cell width (plotly treats nticks as an upper bound), so labels never collide.
  const cellWidth = canvas.innerWidth * (grid.box.x1 - grid.box.x0) * grid.colWidth;
  const nticks = canvas.widthKnown ? Math.max(compact ? 3 : 4, Math.min(7, Math.round(cellWidth / 48))) : 6;
  const xAxis: Partial<LayoutAxis> = {
    ...canvas.baseAxis(),
    domain: columnDomain(grid, s),
    anchor: yName as LayoutAxis['anchor'],
    range: shared ?? paddedRange(lo, hi),
    autorange: false,
    nticks,
    tickangle: 0,
    exponentformat: exponentFormat(shared ?? [lo, hi]),
    separatethousands: true,
    hoverformat: '.6~g',
  };
  if (shared && r > 0) xAxis.matches = axisId('x', grid.firstK[s]!) as LayoutAxis['matches'];
  if (r === plot.rows.length - 1) {
    xAxis.title = {
      text: escapePlotText(plainLabel(valueLabel(plot))) + (shared ? ' <span style="font-size:0.9em">(shared axis)</span>' : ''),
      font: { size: theme.fontSize, color: theme.foreground },
      standoff: 6,
    };
  }
  canvas.axes[layoutKey('x', k)] = xAxis;
  canvas.axes[layoutKey('y', k)] = {
    ...canvas.baseAxis(),
    domain: rowDomain(grid, r),
    anchor: xName as LayoutAxis['anchor'],
    range: [0, yMax],
    autorange: false,
    fixedrange: true,
    nticks: compact ? 3 : 4,
    tickformat: '~s',
    ...(s === 0 ? { title: { text: 'count', font: { size: canvas.smallSize, color: theme.mutedForeground }, standoff: 4 } } : {}),
  };
}

function rowLabel(grid: HistogramGrid, row: DistributionRow, r: number): void {
  const { canvas, compact } = grid;
  canvas.annotations.push({
    xref: 'paper',
    yref: 'paper',
    x: grid.box.x0,
    y: rowDomain(grid, r)[1],
    xanchor: 'left',
    yanchor: 'bottom',
    yshift: 3,
    showarrow: false,
    align: 'left',
    text: `<b>${escapePlotText(row.label)}</b>`,
    font: { size: compact ? canvas.smallSize + 1 : canvas.theme.fontSize, color: canvas.theme.foreground },
  });
}

function drawViolins(plot: DistributionComparisonPlot, canvas: Canvas, box: Box, compact: boolean): Drawn {
  const panelPx = (canvas.innerWidth * (box.x1 - box.x0)) / plot.stages.length;
  const labelChars = Math.max(6, Math.floor(panelPx / plot.rows.length / (canvas.tickSize * 0.6)));
  const valueAxes = plot.stages.map((_, s) => drawViolinPanel(plot, canvas, box, compact, s, labelChars));
  return { valueAxes };
}

/** One stage's panel: a violin per row, the means ± std, and the panel's axes. Returns its y axis id. */
function drawViolinPanel(plot: DistributionComparisonPlot, canvas: Canvas, box: Box, compact: boolean, s: number, labelChars: number): string {
  const theme = canvas.theme;
  const { rows, stages } = plot;
  const stage = stages[s]!;
  const meanColor = theme.series[1] ?? '#d18616';
  const k = canvas.nextAxis();
  const xName = axisId('x', k);
  const yName = axisId('y', k);
  const [x0, x1] = columnSpan(box, canvas, stages.length, s, 64);
  const hover = rows.map((row, r) => violin(canvas, row, r, s, stage, xName, yName));
  const moments = rows.map((row) => row.distributions[s]!.moments);
  canvas.data.push({
    type: 'scatter',
    mode: 'markers',
    name: `mean ± std · ${stage}`,
    x: rows.map((_, r) => r),
    y: moments.map((m) => m.mean),
    error_y: { type: 'data', array: moments.map((m) => m.std), visible: true, color: meanColor, thickness: theme.lineWidth, width: 0 },
    marker: { color: meanColor, size: theme.highContrast ? 9 : 7, line: { width: 1, color: canvas.opaque ? theme.background : meanColor } },
    hovertext: hover,
    hovertemplate: '%{hovertext}<extra></extra>',
    xaxis: xName,
    yaxis: yName,
    showlegend: false,
  } as Partial<ScatterData> as ScatterData);

  canvas.axes[layoutKey('x', k)] = {
    ...canvas.baseAxis(),
    domain: [x0, x1],
    anchor: yName as LayoutAxis['anchor'],
    range: [-0.6, rows.length - 0.4],
    autorange: false,
    showgrid: false,
    tickmode: 'array',
    tickvals: rows.map((_, r) => r),
    ticktext: rows.map((row) => wrapText(escapePlotText(row.label), labelChars).join('<br>')),
    tickangle: 0,
    ticks: '',
  };
  const edges = rows.map((row) => span(row.distributions[s]!.histogram.edges));
  const range = paddedRange(Math.min(...edges.map((e) => e[0])), Math.max(...edges.map((e) => e[1])));
  canvas.axes[layoutKey('y', k)] = {
    ...canvas.baseAxis(),
    domain: [canvas.y(box.top + box.height), canvas.y(box.top)],
    anchor: xName as LayoutAxis['anchor'],
    range,
    autorange: false,
    nticks: compact ? 4 : 6,
    exponentformat: exponentFormat(range),
    separatethousands: true,
    hoverformat: '.5~g',
    title: { text: escapePlotText(plainLabel(valueLabel(plot))), font: { size: canvas.smallSize, color: theme.foreground }, standoff: 4 },
  };
  canvas.header(stage, (x0 + x1) / 2, box.top, { size: compact ? theme.fontSize : theme.fontSize + 1 });
  return yName;
}

/** Row `r`'s violin at x = r: the histogram's density mirrored, each violin scaled to its own peak. Returns its hover summary. */
function violin(canvas: Canvas, row: DistributionRow, r: number, s: number, stage: string, xName: string, yName: string): string {
  const theme = canvas.theme;
  const violinColor = theme.series[0] ?? '#1a85ff';
  const { edges, counts } = row.distributions[s]!.histogram;
  const { mean, std, count, min, max } = row.distributions[s]!.moments;
  const [a, b] = span(edges);
  const density = counts.map((c, i) => {
    const w = edges[i + 1]! - edges[i]!;
    return w > 0 ? c / w : c;
  });
  const top = Math.max(...density) || 1;
  const half = density.map((d) => (0.42 * d) / top);
  const centres = counts.map((_, i) => (edges[i]! + edges[i + 1]!) / 2);
  // Closed outline: up the right side (pinched at both ends), back down the left side.
  const yUp = [a, ...centres, b];
  const wUp = [0, ...half, 0];
  const xs = [...wUp.map((w) => r + w), ...wUp.slice().reverse().map((w) => r - w)];
  const ys = [...yUp, ...yUp.slice().reverse()];
  const summary =
    `<b>${escapePlotText(row.label)}</b> · ${escapePlotText(stage)}<br>` +
    `mean ${formatNumber(mean, std > 0 ? std / 100 : undefined)} · std ${formatNumber(std)}<br>` +
    `range [${formatNumber(min)}, ${formatNumber(max)}] · n ${formatNumber(count, 1)}`;
  canvas.data.push({
    type: 'scatter',
    mode: 'lines',
    name: `${row.label} · ${stage}`,
    x: xs,
    y: ys,
    fill: 'toself',
    fillcolor: withAlpha(violinColor, theme.highContrast ? 0.5 : 0.35),
    line: { color: violinColor, width: theme.highContrast ? 2 : 1 },
    hoveron: 'fills',
    hoverinfo: 'text',
    text: summary,
    xaxis: xName,
    yaxis: yName,
    showlegend: false,
  } as Partial<ScatterData> as ScatterData);
  return summary;
}
