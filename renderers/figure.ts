/**
 * Pure mapping from a plot payload (docs/plot-payload.md) and a PlotTheme to a plotly figure.
 * No DOM access, no plotly runtime (types only), so an HTML report can reuse it with a fixed theme.
 */
import type { Annotation, BarData, Data, Layout, LayoutAxis, Shape } from 'plotly.js-dist';
import type { DistributionComparisonPlot, PlotSpec } from '../src/shared/payload';
import { escapePlotText, formatNumber } from './format';
import { isTransparent, type PlotTheme } from './palette';

export interface PlotFigure {
  data: Data[];
  layout: Partial<Layout>;
}

/** Pixel geometry of the distribution grid. Heights are fixed so the figure grows with the row count. */
export const GRID = {
  /** Height of one histogram cell. */
  cell: 118,
  /** Space above each row for its label. */
  rowLabel: 24,
  /** Space below each row for its x tick labels. */
  ticks: 26,
  marginTop: 100,
  marginBottom: 62,
  marginLeft: 58,
  marginRight: 14,
  /** Horizontal gap between columns, as a fraction of the plot width. */
  columnGap: 0.075,
} as const;

const SUBTITLE = 'bars: histogram · solid line: mean · shaded: mean ± 1 std';

/** A column shares one x axis across rows when no row's span is much narrower than the union (it is standardized). */
const SHARE_SPAN_RATIO = 10;

export interface FigureOptions {
  /** plotly `uirevision`: keep it to preserve the user's zoom across re-draws (theme changes, resizes). */
  uirevision?: string | number;
  /**
   * Width in px the figure will be drawn at, if known. The layout still autosizes to its container
   * (no `layout.width`); the width only adapts tick density and wraps long titles.
   */
  width?: number;
}

export function buildFigure(plot: PlotSpec, theme: PlotTheme, options: FigureOptions = {}): PlotFigure {
  switch (plot.kind) {
    case 'distribution-comparison':
      return distributionComparisonFigure(plot, theme, options);
  }
}

/** Number of traces buildFigure draws for `plot` (what the renderer reports). */
export function traceCount(plot: PlotSpec): number {
  return plot.rows.length * plot.stages.length;
}

/**
 * Splits `text` into lines of at most `maxChars` characters at spaces (a longer word gets its own line),
 * balanced so the last line is not a lone word. Plotly does not wrap titles; the renderer knows the width.
 */
export function wrapText(text: string, maxChars: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const greedy = (limit: number): string[] => {
    const lines: string[] = [];
    let line = '';
    for (const word of words) {
      if (line && line.length + 1 + word.length > limit) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line || lines.length === 0) lines.push(line);
    return lines;
  };
  const lines = greedy(maxChars);
  if (lines.length < 2) return lines;
  // The narrowest limit that still needs no more lines evens the lines out.
  for (let limit = Math.ceil(text.length / lines.length); limit < maxChars; limit++) {
    const balanced = greedy(limit);
    if (balanced.length === lines.length) return balanced;
  }
  return lines;
}

/** Title shown on the plot: the payload's, or a generic one when it is blank. */
export function displayTitle(plot: PlotSpec): string {
  return plot.title.trim() || 'Distribution comparison';
}

/** One-paragraph text summary of the plot for screen readers (the container's aria-label). */
export function describePlot(plot: PlotSpec): string {
  const rows = plot.rows;
  const head =
    `Plot: ${displayTitle(plot)}. Histograms of ${plot.valueLabel || 'values'} in a grid of ${rows.length} ` +
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
}

function axisId(prefix: 'x' | 'y', index: number): string {
  return index === 1 ? prefix : `${prefix}${index}`;
}

function layoutKey(prefix: 'x' | 'y', index: number): `${'x' | 'y'}axis${number}` | 'xaxis' | 'yaxis' {
  return index === 1 ? (`${prefix}axis` as const) : (`${prefix}axis${index}` as const);
}

function span(edges: number[]): [number, number] {
  return [edges[0]!, edges[edges.length - 1]!];
}

/** A range around [lo, hi] with a little padding; degenerate ranges get a visible width. */
function paddedRange(lo: number, hi: number): [number, number] {
  const width = hi - lo;
  if (!(width > 0)) {
    const half = Math.abs(lo) * 0.01 || 0.5;
    return [lo - half, hi + half];
  }
  const pad = width * 0.03;
  return [lo - pad, hi + pad];
}

function distributionComparisonFigure(
  plot: DistributionComparisonPlot,
  theme: PlotTheme,
  options: FigureOptions,
): PlotFigure {
  const rows = plot.rows;
  const stages = plot.stages;
  const nRows = rows.length;
  const nCols = stages.length;
  const plotHeight = nRows * (GRID.rowLabel + GRID.cell + GRID.ticks) - GRID.ticks;
  const width = options.width !== undefined && options.width > 0 ? options.width : undefined;
  const innerWidth = width === undefined ? undefined : Math.max(120, width - GRID.marginLeft - GRID.marginRight);
  // Long titles wrap (bold text: about 0.6 em per character); each extra line adds to the top margin.
  const titleSize = theme.fontSize + 4;
  const smallSize = Math.max(9, theme.fontSize - 2);
  // The title may reach into the right margin.
  const titleWidth = innerWidth === undefined ? undefined : innerWidth + GRID.marginRight - 4;
  const titleLines = wrapText(displayTitle(plot), titleWidth === undefined ? Infinity : Math.floor(titleWidth / (titleSize * 0.6)));
  const subtitleLines = wrapText(SUBTITLE, innerWidth === undefined ? Infinity : Math.floor(innerWidth / (smallSize * 0.56)));
  const titleLineHeight = Math.round(titleSize * 1.3);
  const marginTop = GRID.marginTop + (titleLines.length - 1) * titleLineHeight + (subtitleLines.length - 1) * Math.round(smallSize * 1.3);
  const totalHeight = marginTop + GRID.marginBottom + plotHeight;
  const opaque = !isTransparent(theme.background);
  const barColor = theme.series[0] ?? '#1a85ff';
  const meanColor = theme.series[1] ?? '#d18616';
  const tickSize = Math.max(9, theme.fontSize - 1);

  const colWidth = (1 - GRID.columnGap * (nCols - 1)) / nCols;
  const xDomain = (s: number): [number, number] => {
    const x0 = s * (colWidth + GRID.columnGap);
    return [round(x0), round(Math.min(1, x0 + colWidth))];
  };
  const yDomain = (r: number): [number, number] => {
    const top = r * (GRID.rowLabel + GRID.cell + GRID.ticks) + GRID.rowLabel;
    return [round(1 - (top + GRID.cell) / plotHeight), round(1 - top / plotHeight)];
  };

  // Columns whose rows live on comparable scales (e.g. after normalization) share one x axis.
  const columnRange: Array<[number, number] | undefined> = stages.map((_, s) => {
    const spans = rows.map((row) => span(row.distributions[s]!.histogram.edges));
    const lo = Math.min(...spans.map((x) => x[0]));
    const hi = Math.max(...spans.map((x) => x[1]));
    const narrowest = Math.min(...spans.map(([a, b]) => b - a));
    return nRows > 1 && narrowest > 0 && hi - lo <= SHARE_SPAN_RATIO * narrowest ? paddedRange(lo, hi) : undefined;
  });

  const data: Data[] = [];
  const shapes: Partial<Shape>[] = [];
  const annotations: Partial<Annotation>[] = [];
  const layout: Partial<Layout> = {};
  const axes = layout as Record<string, Partial<LayoutAxis>>;

  const baseAxis: Partial<LayoutAxis> = {
    showgrid: true,
    gridcolor: theme.gridColor,
    gridwidth: 1,
    griddash: theme.highContrast ? 'dot' : 'solid',
    zeroline: false,
    showline: true,
    linecolor: theme.axisColor,
    linewidth: theme.highContrast ? 2 : 1,
    ticks: 'outside',
    ticklen: 4,
    tickcolor: theme.axisColor,
    tickfont: { size: tickSize, color: theme.foreground },
    automargin: false,
  };

  rows.forEach((row, r) => {
    const counts = row.distributions.flatMap((d) => d.histogram.counts);
    const rowMax = Math.max(1, ...counts);
    // Head room above the tallest bar for the mean/std note in the top-right corner of each cell.
    const yMax = rowMax * 1.32;

    row.distributions.forEach((dist, s) => {
      const k = r * nCols + s + 1;
      const xName = axisId('x', k);
      const yName = axisId('y', k);
      const { edges, counts: binCounts } = dist.histogram;
      const { mean, std } = dist.moments;
      const [lo, hi] = span(edges);
      const binWidth = (hi - lo) / Math.max(1, binCounts.length);
      const edgeRes = binWidth > 0 ? binWidth / 10 : undefined;
      const meanText = formatNumber(mean, std > 0 ? std / 100 : edgeRes);
      const stdText = formatNumber(std, std > 0 ? std / 1000 : undefined);
      const degenerateWidth = paddedRange(lo, hi);
      const centres: number[] = [];
      const widths: number[] = [];
      const hover: string[] = [];
      binCounts.forEach((count, i) => {
        const a = edges[i]!;
        const b = edges[i + 1]!;
        const w = b > a ? b - a : (degenerateWidth[1] - degenerateWidth[0]) / 20;
        centres.push((a + b) / 2);
        // Without a paper colour to outline bars with, leave a small gap between them instead.
        widths.push(opaque || theme.highContrast ? w : w * 0.92);
        const closing = i === binCounts.length - 1 ? ']' : ')';
        hover.push(
          `<b>${escapePlotText(row.label)}</b> · ${escapePlotText(stages[s]!)}<br>` +
            `bin [${formatNumber(a, edgeRes)}, ${formatNumber(b, edgeRes)}${closing}<br>` +
            `count ${formatNumber(count, 1)}<br>` +
            `mean ${meanText} · std ${stdText}`,
        );
      });
      const bar: Partial<BarData> = {
        type: 'bar',
        name: `${row.label} · ${stages[s]}`,
        x: centres,
        y: binCounts,
        width: widths,
        xaxis: xName,
        yaxis: yName,
        marker: {
          color: barColor,
          opacity: theme.highContrast ? 1 : 0.85,
          line: theme.highContrast
            ? { color: theme.contrastBorder, width: 1 }
            : { color: opaque ? theme.background : 'rgba(0,0,0,0)', width: opaque ? 0.6 : 0 },
        },
        hovertext: hover,
        hovertemplate: '%{hovertext}<extra></extra>',
        showlegend: false,
      };
      data.push(bar as Data);

      // ±1 std band (behind the bars) and the mean line (in front).
      const domainY = `${yName} domain` as Shape['yref'];
      if (std > 0) {
        shapes.push({
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
        for (const x of [mean - std, mean + std]) {
          shapes.push({
            type: 'line',
            layer: 'above',
            xref: xName as Shape['xref'],
            yref: domainY,
            x0: x,
            x1: x,
            y0: 0,
            y1: 1,
            line: { color: meanColor, width: Math.max(1, theme.lineWidth - 1), dash: 'dot' },
          });
        }
      }
      shapes.push({
        type: 'line',
        layer: 'above',
        xref: xName as Shape['xref'],
        yref: domainY,
        x0: mean,
        x1: mean,
        y0: 0,
        y1: 1,
        line: { color: meanColor, width: theme.lineWidth },
      });
      annotations.push({
        xref: `${xName} domain` as Annotation['xref'],
        yref: `${yName} domain` as Annotation['yref'],
        x: 1,
        y: 1,
        xanchor: 'right',
        yanchor: 'top',
        showarrow: false,
        align: 'right',
        text: `mean ${meanText} · std ${stdText}`,
        font: { size: smallSize, color: theme.highContrast ? theme.foreground : theme.mutedForeground },
        ...(opaque ? { bgcolor: theme.background } : {}),
        borderpad: 1,
      });

      const shared = columnRange[s];
      // About one tick per 48 px of cell width (plotly treats nticks as an upper bound), so labels never collide.
      const cellWidth = innerWidth === undefined ? undefined : innerWidth * colWidth;
      const nticks = cellWidth === undefined ? 6 : Math.max(4, Math.min(7, Math.round(cellWidth / 48)));
      const firstOfColumn = axisId('x', s + 1);
      const xAxis: Partial<LayoutAxis> = {
        ...baseAxis,
        domain: xDomain(s),
        anchor: yName as LayoutAxis['anchor'],
        range: shared ?? paddedRange(lo, hi),
        autorange: false,
        nticks,
        tickangle: 0,
        exponentformat: exponentFormat(shared ?? [lo, hi]),
        separatethousands: true,
        hoverformat: '.6~g',
      };
      if (shared && r > 0) xAxis.matches = firstOfColumn as LayoutAxis['matches'];
      if (r === nRows - 1) {
        xAxis.title = {
          text: escapePlotText(plot.valueLabel) + (shared ? ' <span style="font-size:0.9em">(shared axis)</span>' : ''),
          font: { size: theme.fontSize, color: theme.foreground },
          standoff: 6,
        };
      }
      axes[layoutKey('x', k)] = xAxis;
      axes[layoutKey('y', k)] = {
        ...baseAxis,
        domain: yDomain(r),
        anchor: xName as LayoutAxis['anchor'],
        range: [0, yMax],
        autorange: false,
        fixedrange: true,
        nticks: 4,
        tickformat: '~s',
        ...(s === 0 ? { title: { text: 'count', font: { size: smallSize, color: theme.mutedForeground }, standoff: 4 } } : {}),
      };
    });

    annotations.push({
      xref: 'paper',
      yref: 'paper',
      x: 0,
      y: yDomain(r)[1],
      xanchor: 'left',
      yanchor: 'bottom',
      yshift: 3,
      showarrow: false,
      align: 'left',
      text: `<b>${escapePlotText(row.label)}</b>`,
      font: { size: theme.fontSize, color: theme.foreground },
    });
  });

  stages.forEach((stage, s) => {
    const [x0, x1] = xDomain(s);
    annotations.push({
      xref: 'paper',
      yref: 'paper',
      x: (x0 + x1) / 2,
      y: 1,
      xanchor: 'center',
      yanchor: 'bottom',
      yshift: 4,
      showarrow: false,
      text: `<b>${escapePlotText(stage)}</b>`,
      font: { size: theme.fontSize + 1, color: theme.foreground },
    });
  });

  const paper = opaque ? theme.background : 'rgba(0,0,0,0)';
  Object.assign(layout, {
    title: {
      text: titleLines.map((line) => `<b>${escapePlotText(line)}</b>`).join('<br>'),
      font: { size: titleSize, color: theme.foreground },
      subtitle: {
        text: subtitleLines.map(escapePlotText).join('<br>'),
        font: { size: smallSize, color: theme.mutedForeground },
      },
      x: 0,
      xref: 'paper',
      xanchor: 'left',
      // plotly centres the extra lines of a multi-line title on its anchor: move it down by half of them.
      y: round(1 - ((titleLines.length - 1) * titleLineHeight) / 2 / totalHeight),
      yref: 'container',
      yanchor: 'top',
      pad: { t: 10 },
    },
    height: totalHeight,
    autosize: true,
    margin: { t: marginTop, b: GRID.marginBottom, l: GRID.marginLeft, r: GRID.marginRight, pad: 0, autoexpand: false },
    paper_bgcolor: paper,
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
    showlegend: false,
    hovermode: 'closest',
    dragmode: 'zoom',
    hoverlabel: {
      bgcolor: theme.hoverBackground,
      bordercolor: theme.hoverBorder,
      font: { family: theme.fontFamily, size: theme.fontSize, color: theme.hoverForeground },
      align: 'left',
    },
    modebar: {
      bgcolor: 'rgba(0,0,0,0)',
      color: theme.mutedForeground,
      activecolor: theme.foreground,
    },
    shapes,
    annotations,
    bargap: 0,
  } satisfies Partial<Layout>);
  if (options.uirevision !== undefined) layout.uirevision = options.uirevision;
  return { data, layout };
}

/**
 * Tick label style for an axis showing [lo, hi]. Features live on scales from 1e-3 to 1e4 and beyond:
 * plain digits read best from 0.01 to 1e6 (an offset like 9990…10010 stays "9995, 10000, 10005"
 * instead of "9.995k, 10k"); outside that, SI prefixes keep labels short ("−500µ", "3M").
 */
export function exponentFormat([lo, hi]: [number, number]): 'none' | 'SI' {
  const magnitude = Math.max(Math.abs(lo), Math.abs(hi));
  return magnitude >= 1e-2 && magnitude < 1e6 ? 'none' : 'SI';
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
