/**
 * The figure of a whole payload: the plot (buildFigure), the previous result faintly under it
 * (`payload.previous`), the live badge (`payload.live`) and stable trace ids, so that an update drawn with
 * Plotly.react keeps what the person hid in the legend. Pure: no DOM, no plotly runtime.
 */
import type { Annotation, Config, Data, Layout, LayoutAxis } from 'plotly.js-dist';
import type { LiveState, PlotPayload, PlotSpec } from '../../src/shared/payload';
import { fnv1a } from '../arms';
import { escapePlotText } from '../format';
import { FALLBACK_THEMES, withAlpha, type PlotTheme } from '../palette';
import { paddedRange, type FigureOptions, type PlotFigure } from './common';
import { buildFigure, figureConfig, keyLineTop } from './index';

/** Opacity of the previous result's lines, bands and markers. */
export const OVERLAY_OPACITY = 0.25;
/** Opacity of the previous result's histograms, drawn as outlines over the current bars. */
export const OUTLINE_OPACITY = 0.6;
/** Opacity of a whole figure whose previous result cannot be overlaid (heatmaps, another kind). */
export const FADED_OPACITY = 0.45;

type Trace = Data & Record<string, unknown>;

/**
 * The whole plotly figure for a payload (or a bare plot): `data`, `layout` and a `config` without
 * functions (the notebook renderer adds its SVG download button). Pure; usable in Node.
 */
export function toFigure(
  payload: PlotPayload | PlotSpec,
  theme: PlotTheme = FALLBACK_THEMES.light,
  options: FigureOptions = {},
): { data: Data[]; layout: Partial<Layout>; config: Partial<Config> } {
  const full: PlotPayload = 'plot' in payload ? payload : { version: 1, plot: payload };
  const reserveTopRight = options.reserveTopRight ?? liveBadgeWidth(full.live, theme);
  return { ...buildPayloadFigure(full, theme, { ...options, reserveTopRight }), config: figureConfig(full.plot) };
}

export function buildPayloadFigure(payload: PlotPayload, theme: PlotTheme, options: FigureOptions = {}): PlotFigure {
  const figure = buildFigure(payload.plot, theme, { ...options, live: payload.live !== undefined });
  assignUids(figure.data as Trace[], 'c');
  if (payload.previous) addPrevious(figure, payload.plot, payload.previous, theme, options);
  if (payload.live) addLiveBadge(figure, payload.live, theme);
  return figure;
}

/** The text of the live badge: "running…  <label>" or "interrupted: partial result · <label>". */
export function liveBadgeText(live: LiveState): string {
  const label = live.label?.trim();
  if (live.state === 'running') return label ? `running…  ${label}` : 'running…';
  return label ? `interrupted: partial result · ${label}` : 'interrupted: partial result';
}

/** Pixels the badge takes at the right end of the style key's line (the key wraps before it). */
export function liveBadgeWidth(live: LiveState | undefined, theme: PlotTheme): number {
  if (!live) return 0;
  return Math.ceil(liveBadgeText(live).length * badgeSize(theme) * 0.6 + 24);
}

function badgeSize(theme: PlotTheme): number {
  return Math.max(9, theme.fontSize - 1);
}

/**
 * A badge at the top right of the figure (part of the figure, so a downloaded PNG or SVG of an
 * interrupted plot still says so): running in the theme's progress colour, interrupted in its warning
 * colour with a thicker border and a stronger tint.
 */
function addLiveBadge(figure: PlotFigure, live: LiveState, theme: PlotTheme): void {
  const layout = figure.layout;
  const margin = layout.margin as { t: number; b: number; r: number };
  const plotHeight = Math.max(1, (layout.height ?? 400) - margin.t - margin.b);
  // On the style key's line, right-aligned: below the mode bar (which covers the title line's right end on hover).
  const title = layout.title as { text?: string; font?: { size?: number } } | undefined;
  const top = keyLineTop(String(title?.text ?? '').split('<br>').length, title?.font?.size ?? theme.fontSize + 4) - 3;
  const interrupted = live.state === 'interrupted';
  const color = interrupted ? theme.warning : theme.accent;
  const text = escapePlotText(liveBadgeText(live)).replace(/^(running…|interrupted: partial result)/, '<b>$1</b>');
  const badge: Partial<Annotation> = {
    name: 'bnlab-live-badge',
    xref: 'paper',
    yref: 'paper',
    x: 1,
    xanchor: 'right',
    xshift: Math.max(0, margin.r - 4),
    y: 1 + (margin.t - top) / plotHeight,
    yanchor: 'top',
    showarrow: false,
    text,
    font: { size: badgeSize(theme), color: theme.foreground },
    bgcolor: withAlpha(color, interrupted ? 0.22 : 0.12),
    bordercolor: color,
    borderwidth: interrupted || theme.highContrast ? 2 : 1,
    borderpad: 3,
  };
  layout.annotations = [...(layout.annotations ?? []), badge];
}

/**
 * Stable trace ids (plotly `uid`): from what the trace shows (name, type, axes, legend group), numbered
 * when several traces share them. Plotly.react matches traces by uid, so a trace that keeps its uid
 * across updates keeps its legend visibility even when other traces appear before it.
 */
export function assignUids(data: Trace[], prefix: string): void {
  const seen = new Map<string, number>();
  for (const trace of data) {
    const key = [trace.name, trace.type, trace.xaxis, trace.yaxis, trace.legendgroup].map((v) => String(v ?? '')).join('\u0000');
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    trace.uid = `${prefix}${fnv1a(key).toString(36)}-${n}`;
  }
}

/**
 * Draws `previous` faintly under the current traces where it fits (same kind, its subplots present in
 * the current figure); otherwise (heatmaps, another kind, no common subplot) fades the whole figure.
 */
function addPrevious(figure: PlotFigure, plot: PlotSpec, previous: PlotSpec, theme: PlotTheme, options: FigureOptions): void {
  const overlay = overlayable(plot, previous) ? overlayTraces(previous, figure, theme, options) : [];
  if (overlay.length === 0) {
    for (const trace of figure.data as Trace[]) trace.opacity = FADED_OPACITY * ((trace.opacity as number | undefined) ?? 1);
    return;
  }
  widenFixedRanges(figure.layout as Record<string, Partial<LayoutAxis>>, overlay);
  figure.data.unshift(...overlay);
}

/** Kinds whose previous result can be drawn on the same axes: not heatmaps (one colour per cell), not across kinds. */
export function overlayable(plot: PlotSpec, previous: PlotSpec): boolean {
  if (plot.kind !== previous.kind || plot.kind === 'heatmap') return false;
  if (plot.kind === 'small-multiples' && previous.kind === 'small-multiples') {
    return plot.panels.length === previous.panels.length && plot.panels.every((panel, i) => panel.kind === previous.panels[i]!.kind);
  }
  return true;
}

function overlayTraces(previous: PlotSpec, current: PlotFigure, theme: PlotTheme, options: FigureOptions): Trace[] {
  const before = buildFigure(previous, theme, { width: options.width });
  assignUids(before.data as Trace[], 'p');
  const layout = current.layout as Record<string, unknown>;
  const onCurrentAxes = (trace: Trace): boolean => axisKey(trace.xaxis, 'x') in layout && axisKey(trace.yaxis, 'y') in layout;
  // Divergence marks and heatmaps belong to the result they describe; the previous one's are not repeated.
  return (before.data as Trace[])
    .filter((trace) => trace.type !== 'heatmap' && !String(trace.name ?? '').endsWith(' diverged') && onCurrentAxes(trace))
    .map((trace) => (trace.type === 'bar' ? histogramOutline(trace, theme) : faint(trace)));
}

function axisKey(id: unknown, prefix: 'x' | 'y'): string {
  const name = typeof id === 'string' && id ? id : prefix;
  return `${name[0]}axis${name.slice(1)}`;
}

/** A trace of the previous result: faint, out of the legend, silent on hover (its legend group still toggles it). */
function faint(trace: Trace): Trace {
  const { hovertemplate: _template, hovertext: _text, legendrank: _rank, ...rest } = trace;
  return {
    ...rest,
    name: `previous: ${String(trace.name ?? '')}`,
    opacity: OVERLAY_OPACITY,
    showlegend: false,
    hoverinfo: 'skip',
  } as Trace;
}

/** A previous histogram as the outline of its bars: bars over bars would hide each other. */
function histogramOutline(bar: Trace, theme: PlotTheme): Trace {
  const centres = (bar.x as number[] | undefined) ?? [];
  const counts = (bar.y as number[] | undefined) ?? [];
  const widths = bar.width as number[] | number | undefined;
  const x: number[] = [];
  const y: number[] = [];
  centres.forEach((c, i) => {
    const half = (Array.isArray(widths) ? (widths[i] ?? 0) : (widths ?? 0)) / 2;
    if (i === 0) {
      x.push(c - half);
      y.push(0);
    }
    x.push(c - half, c + half);
    y.push(counts[i]!, counts[i]!);
    if (i === centres.length - 1) {
      x.push(c + half);
      y.push(0);
    }
  });
  return {
    type: 'scatter',
    mode: 'lines',
    name: `previous: ${String(bar.name ?? '')}`,
    x,
    y,
    xaxis: bar.xaxis,
    yaxis: bar.yaxis,
    line: { color: theme.foreground, width: theme.highContrast ? 2 : 1.25 },
    opacity: OUTLINE_OPACITY,
    showlegend: false,
    hoverinfo: 'skip',
    uid: bar.uid,
  } as Trace;
}

/**
 * Axes with a fixed range (histogram cells, a live x axis) grow to hold the previous result too, so the
 * comparison is not cut off. Matched axes follow their root.
 */
function widenFixedRanges(layout: Record<string, Partial<LayoutAxis>>, traces: Trace[]): void {
  const extents = new Map<string, [number, number]>();
  const add = (key: string, values: unknown): void => {
    const axis = layout[key];
    if (!axis) return;
    const root = typeof axis.matches === 'string' ? axisKey(axis.matches, key[0] as 'x' | 'y') : key;
    const finite = (Array.isArray(values) ? values : []).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (finite.length === 0) return;
    const [lo, hi] = extents.get(root) ?? [Infinity, -Infinity];
    extents.set(root, [Math.min(lo, ...finite), Math.max(hi, ...finite)]);
  };
  for (const trace of traces) {
    add(axisKey(trace.xaxis, 'x'), trace.x);
    add(axisKey(trace.yaxis, 'y'), trace.y);
  }
  for (const [key, [lo, hi]] of extents) {
    const axis = layout[key]!;
    const range = axis.range as [number, number] | undefined;
    if (axis.autorange !== false || !range || axis.type === 'log' || axis.type === 'category') continue;
    if (lo >= range[0] && hi <= range[1]) continue;
    const padded = paddedRange(Math.min(lo, range[0]), Math.max(hi, range[1]));
    axis.range = [lo < range[0] ? padded[0] : range[0], hi > range[1] ? padded[1] : range[1]];
  }
}
