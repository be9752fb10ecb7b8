/**
 * Shared pieces of the payload → plotly mapping: the drawing surface (`Canvas`: traces, axes, shapes and
 * annotations collected by each kind), pixel geometry, axis styles and text helpers. Pure: no DOM, no
 * plotly runtime (types only).
 */
import type { Annotation, Data, LayoutAxis, Shape } from 'plotly.js-dist';
import type { AxisSpec, PlotSpec } from '../../src/shared/payload';
import { armColor } from '../arms';
import { escapePlotText, formatNumber } from '../format';
import { isTransparent, type PlotTheme } from '../palette';

export interface PlotFigure {
  data: Data[];
  layout: Partial<import('plotly.js-dist').Layout>;
}

export interface FigureOptions {
  /** plotly `uirevision`: keep it to preserve the user's zoom across re-draws (theme changes, resizes). */
  uirevision?: string | number;
  /**
   * Width in px the figure will be drawn at, if known. The layout still autosizes to its container
   * (no `layout.width`); the width only adapts tick density, column counts and wraps long titles.
   */
  width?: number;
  /**
   * The plot is still growing (a live payload): x axes that grow with training end at a rounded-up
   * step (`liveEnd`) instead of the last one, so that they rescale now and then, not on every update.
   */
  live?: boolean;
  /** Pixels kept free at the right end of the style key's line (for the live badge), so the key never runs under it. */
  reserveTopRight?: number;
}

/** Width assumed for geometry when the caller does not know it (an HTML report, a test in Node). */
export const DEFAULT_WIDTH = 860;

/** Space under a box for its x tick labels and x axis title. */
export const AXIS_BOTTOM = 50;
/** Space above a panel of a small-multiples grid for its title. */
export const PANEL_TITLE = 24;
/** Default left and right margins. */
export const MARGIN_LEFT = 64;
export const MARGIN_RIGHT = 16;

/**
 * Where a kind draws: `x0`…`x1` are fractions of the plot area's width; `top` and `height` are pixels
 * from the top of the plot area. The `AXIS_BOTTOM` px below the box hold its x tick labels and title.
 */
export interface Box {
  x0: number;
  x1: number;
  top: number;
  height: number;
}

/** What a kind needs: the height of its box, the space above it (column titles), and side margins. */
export interface Measure {
  height: number;
  /** Pixels above the box for headers (e.g. column titles); inside the figure's top margin for a single plot. */
  header: number;
}

export interface Sides {
  /** Pixels left of the plot area for y tick labels and the y title. */
  left: number;
  /** Pixels right of the plot area (e.g. a colour bar). */
  right: number;
}

/** Axis ids a kind drew, so a small-multiples grid can link them. */
export interface Drawn {
  /** Numeric value axes (y), e.g. `["y", "y2"]`. */
  valueAxes: string[];
}

/** One plot kind: how big it is, how it draws, how it is described. */
export interface KindDrawer<P extends PlotSpec> {
  defaultTitle: string;
  sides(plot: P, canvas: Canvas): Sides;
  measure(plot: P, canvas: Canvas, widthPx: number, compact: boolean): Measure;
  draw(plot: P, canvas: Canvas, box: Box, compact: boolean): Drawn;
  /** The line under the title that explains the marks, e.g. "line: median · shaded: 15th–85th percentiles". */
  styleKey(plot: P): string;
  /** Arm names in legend order (empty: no legend). */
  arms(plot: P): string[];
  /** A text summary for screen readers. */
  describe(plot: P): string;
  /** plotly hover mode that suits the kind. */
  hovermode: 'closest' | 'x unified';
}

/** The drawing surface every kind adds to. `plotHeight` is the plot area's height in px. */
export class Canvas {
  readonly data: Data[] = [];
  readonly axes: Record<string, Partial<LayoutAxis>> = {};
  readonly shapes: Partial<Shape>[] = [];
  readonly annotations: Partial<Annotation>[] = [];
  /** Arms already in the legend: later traces of the same arm join the group without a new entry. */
  readonly legendShown = new Set<string>();
  /** Set by heatmaps: the shared colour axis (one colour bar for all heatmaps of a figure). */
  coloraxis: { min: number; max: number; diverging: boolean; center: number; title: string } | undefined;
  plotHeight = 1;
  private axisCount = 0;

  constructor(
    readonly theme: PlotTheme,
    /** Width of the plot area in px (known or assumed). */
    readonly innerWidth: number,
    /** Whether the width is known (titles only wrap when it is). */
    readonly widthKnown: boolean,
    /** The plot is still growing (see FigureOptions.live). */
    readonly live = false,
  ) {}

  /**
   * Range of a linear x axis that grows while the plot is live: from the first step to `liveEnd` of the
   * last one. Undefined (plotly autoranges) for a final plot or a log axis.
   */
  growingRange(spec: AxisSpec, lo: number, hi: number): Partial<LayoutAxis> {
    if (!this.live || spec.scale === 'log' || !(hi > lo)) return {};
    return { range: [lo, liveEnd(hi)], autorange: false };
  }

  /** A new axis number k: the kind uses `x{k}` and `y{k}` (plain `x`, `y` for k = 1). */
  nextAxis(): number {
    return ++this.axisCount;
  }

  /** Paper y (0 bottom … 1 top) of a pixel offset from the top of the plot area. */
  y(px: number): number {
    return round(1 - px / this.plotHeight);
  }

  /** Fraction of the plot width for `px` pixels. */
  fx(px: number): number {
    return px / this.innerWidth;
  }

  get opaque(): boolean {
    return !isTransparent(this.theme.background);
  }

  get smallSize(): number {
    return Math.max(9, this.theme.fontSize - 2);
  }

  get tickSize(): number {
    return Math.max(9, this.theme.fontSize - 1);
  }

  /** Legend visibility for the next trace of `arm`: only the first trace of an arm gets an entry. */
  legendFor(arm: string, rank?: number): { name: string; legendgroup: string; showlegend: boolean; legendrank?: number } {
    const first = !this.legendShown.has(arm);
    this.legendShown.add(arm);
    // With arms drawn out of legend order (armLayer), the rank keeps the legend in the payload's order.
    return { name: arm, legendgroup: arm, showlegend: first, ...(rank === undefined ? {} : { legendrank: 100 + rank }) };
  }

  armColor(arm: string): string {
    return armColor(arm, this.theme);
  }

  /** Base style of every cartesian axis. */
  baseAxis(): Partial<LayoutAxis> {
    const theme = this.theme;
    return {
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
      tickfont: { size: this.tickSize, color: theme.foreground },
      automargin: false,
    };
  }

  /** An axis title in the theme's colours. */
  axisTitle(spec: { label: string; unit?: string }, standoff = 6): Partial<LayoutAxis>['title'] {
    return { text: axisLabel(spec), font: { size: this.theme.fontSize, color: this.theme.foreground }, standoff };
  }

  /** A bold title above a box (column titles, panel titles). */
  header(text: string, x: number, yPx: number, options: { color?: string; size?: number; anchor?: 'left' | 'center' } = {}): void {
    this.annotations.push({
      xref: 'paper',
      yref: 'paper',
      x,
      y: this.y(yPx),
      xanchor: options.anchor ?? 'center',
      yanchor: 'bottom',
      yshift: 3,
      showarrow: false,
      text: `<b>${escapePlotText(text)}</b>`,
      font: { size: options.size ?? this.theme.fontSize, color: options.color ?? this.theme.foreground },
    });
  }

  /** Divergence marker style: a bold ✕ in the arm's colour, outlined in the paper colour. */
  divergedMarker(color: string): Record<string, unknown> {
    return {
      symbol: 'x',
      size: this.theme.highContrast ? 14 : 12,
      color,
      line: { width: 1, color: this.opaque ? this.theme.background : this.theme.foreground },
    };
  }

  /**
   * Where an arm diverged: a dotted vertical line at the step across the subplot and, when the value
   * there is known, a ✕ whose hover gives the reason. Both toggle with the arm's legend entry.
   */
  markDivergence(d: { arm: string; step: number; reason: string; y?: number; xName: string; yName: string; color: string }): void {
    this.shapes.push({
      type: 'line',
      xref: d.xName as Shape['xref'],
      yref: `${d.yName} domain` as Shape['yref'],
      x0: d.step,
      x1: d.step,
      y0: 0,
      y1: 1,
      line: { color: d.color, width: 1.5, dash: 'dot' },
    });
    if (d.y === undefined) return;
    this.data.push({
      type: 'scatter',
      mode: 'markers',
      x: [d.step],
      y: [d.y],
      xaxis: d.xName,
      yaxis: d.yName,
      name: `${d.arm} diverged`,
      legendgroup: d.arm,
      showlegend: false,
      marker: this.divergedMarker(d.color),
      hovertemplate: `<b>${escapePlotText(d.arm)} diverged</b><br>${escapePlotText(d.reason)}<extra></extra>`,
    } as Data);
  }
}

export function axisId(prefix: 'x' | 'y', index: number): string {
  return index === 1 ? prefix : `${prefix}${index}`;
}

export function layoutKey(prefix: 'x' | 'y', index: number): string {
  return index === 1 ? `${prefix}axis` : `${prefix}axis${index}`;
}

/** The layout key (`yaxis3`) of an axis id (`y3`). */
export function keyOf(id: string): string {
  return `${id[0]}axis${id.slice(1)}`;
}

/** "label (unit)", escaped for plotly. */
export function axisLabel(spec: { label: string; unit?: string }): string {
  const label = spec.label.trim() || 'value';
  const unit = spec.unit?.trim();
  return escapePlotText(unit ? `${label} (${unit})` : label);
}

/** Plain-text "label (unit)" for summaries. */
export function plainLabel(spec: { label: string; unit?: string }): string {
  const unit = spec.unit?.trim();
  return unit ? `${spec.label} (${unit})` : spec.label;
}

/**
 * Axis type and tick style for a numeric axis showing values from `lo` to `hi`. A log axis that spans
 * less than two decades would have one labelled tick at most: it is labelled at the data's own `values`
 * instead (a sweep over batch sizes 2, 4, …, 32 is labelled 2, 4, …, 32).
 */
export function numericAxis(spec: AxisSpec | undefined, lo: number, hi: number, values?: number[]): Partial<LayoutAxis> {
  if (spec?.scale === 'log') {
    const decades = Math.log10(Math.max(hi, lo * 10)) - Math.log10(lo);
    const ticks = values ? [...new Set(values)].filter((v) => v > 0).sort((a, b) => a - b) : [];
    if (Math.log10(hi / lo) < 2 && ticks.length >= 2 && ticks.length <= 12) {
      return { type: 'log', tickvals: ticks, ticktext: ticks.map((v) => formatNumber(v)), hoverformat: '.4~g' };
    }
    return {
      type: 'log',
      exponentformat: 'power',
      dtick: decades <= 7 ? 1 : 2,
      minor: { ticks: 'outside', ticklen: 2, showgrid: false },
      hoverformat: '.4~g',
    };
  }
  return { type: 'linear', exponentformat: exponentFormat([lo, hi]), separatethousands: true, hoverformat: '.5~g' };
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

/** Smallest and largest of many arrays (finite values only); [0, 1] when there are none. */
export function extent(...arrays: number[][]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const array of arrays) {
    for (const v of array) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Columns of a grid of `n` cells in `widthPx`, each at least `minCell` px, at most `max` columns. */
export function gridColumns(n: number, widthPx: number, minCell: number, max: number): number {
  return Math.max(1, Math.min(n, max, Math.floor(widthPx / minCell)));
}

/** x fractions of column `c` of `cols` equal columns with `gapPx` between them. */
export function columnSpan(box: Box, canvas: Canvas, cols: number, c: number, gapPx: number): [number, number] {
  const gap = canvas.fx(gapPx);
  const width = (box.x1 - box.x0 - gap * (cols - 1)) / cols;
  const x0 = box.x0 + c * (width + gap);
  return [round(x0), round(Math.min(box.x1, x0 + width))];
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

/** A range around [lo, hi] with a little padding; degenerate ranges get a visible width. */
export function paddedRange(lo: number, hi: number, pad = 0.03): [number, number] {
  const width = hi - lo;
  if (!(width > 0)) {
    const half = Math.abs(lo) * 0.01 || 0.5;
    return [lo - half, hi + half];
  }
  return [lo - width * pad, hi + width * pad];
}

/**
 * The end of a growing axis: the smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (× a power of ten) that
 * is ≥ `hi`. Each step is at most 25 % longer than the one before, so a curve growing 4 times a second
 * rescales its axis every few seconds instead of every update, and never leaves more than a fifth empty.
 */
export function liveEnd(hi: number): number {
  if (!(hi > 0)) return hi;
  const power = 10 ** Math.floor(Math.log10(hi));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const end = step * power;
    if (end >= hi * (1 - 1e-12)) return Number(end.toPrecision(12));
  }
  return hi;
}

export function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Dash style of a split of a training curve. */
export const SPLIT_DASH: Record<string, 'solid' | 'dash' | 'dot'> = { train: 'solid', test: 'dash', validation: 'dot' };
