/**
 * `sweep`: a metric against a swept parameter, one line per arm through the mean over seeds, the spread
 * over seeds as error bars or a band, and a "diverged" lane above the plot with a ✕ (in the arm's colour)
 * at every parameter value where seeds diverged. Log axes when the payload says `scale: "log"`.
 */
import type { LayoutAxis, ScatterData, Shape } from 'plotly.js-dist';
import type { SweepArm, SweepPlot, SweepPoint } from '../../src/shared/payload';
import { armSymbol, byArmLayer } from '../arms';
import { escapePlotText, formatNumber } from '../format';
import { withAlpha } from '../palette';
import { axisId, extent, layoutKey, numericAxis, plainLabel, type Box, type Canvas, type Drawn, type KindDrawer } from './common';

const LANE_GAP = 8;

export interface PointStats {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single seed. */
  std: number;
  min: number;
  max: number;
}

export function pointStats(values: number[]): PointStats | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, std, min: Math.min(...values), max: Math.max(...values) };
}

function divergedArms(plot: SweepPlot): string[] {
  return plot.arms.filter((arm) => arm.points.some((p) => (p.diverged ?? 0) > 0)).map((arm) => arm.arm);
}

function laneHeight(plot: SweepPlot): number {
  const n = divergedArms(plot).length;
  return n === 0 ? 0 : Math.max(24, 14 * n + 8);
}

function spreadOf(plot: SweepPlot): 'std' | 'min-max' | 'none' {
  return plot.spread ?? 'std';
}

export const sweep: KindDrawer<SweepPlot> = {
  defaultTitle: 'Parameter sweep',
  hovermode: 'x unified',

  sides: () => ({ left: 72, right: 16 }),

  measure(plot, _canvas, _widthPx, compact) {
    const lane = laneHeight(plot);
    return { height: (compact ? 150 : 300) + (lane ? lane + LANE_GAP : 0), header: 0 };
  },

  draw(plot, canvas, box) {
    const k = canvas.nextAxis();
    const lane = laneHeight(plot);
    const laneK = lane ? canvas.nextAxis() : undefined;
    const target: SweepAxes = {
      xName: axisId('x', k),
      yName: axisId('y', k),
      laneY: laneK === undefined ? undefined : axisId('y', laneK),
      laneArms: divergedArms(plot),
      arms: plot.arms.map((arm) => arm.arm),
    };
    const values: number[] = [];
    for (const arm of byArmLayer(plot.arms, (a) => a.arm)) values.push(...drawSweepArm(plot, canvas, target, arm));
    sweepAxes(plot, canvas, box, target, { k, laneK, lane, values });
    return { valueAxes: [target.yName] } satisfies Drawn;
  },

  styleKey(plot) {
    const seeds = Math.max(0, ...plot.arms.flatMap((arm) => arm.points.map((p) => p.values.length + (p.diverged ?? 0))));
    const over = seeds > 1 ? ` over ${seeds} seeds` : '';
    const spread = spreadOf(plot);
    const mark = plot.spreadStyle === 'band' ? 'shaded' : 'bars';
    const parts = [`line: mean${over}`];
    if (spread === 'std') parts.push(`${mark}: ± 1 std`);
    if (spread === 'min-max') parts.push(`${mark}: min–max`);
    if (divergedArms(plot).length > 0) parts.push('✕: diverged');
    return parts.join(' · ');
  },

  arms: (plot) => plot.arms.map((arm) => arm.arm),

  describe(plot) {
    const arms = plot.arms.map((arm) => {
      const best = arm.points
        .map((p) => ({ x: p.x, s: pointStats(p.values) }))
        .filter((p) => p.s)
        .map((p) => `${formatNumber(p.x)}: ${formatNumber(p.s!.mean)}`);
      const diverged = arm.points.filter((p) => (p.diverged ?? 0) > 0).map((p) => formatNumber(p.x));
      return `${arm.arm}: ${best.join(', ')}${diverged.length ? `; diverged at ${diverged.join(', ')}` : ''}.`;
    });
    return `Sweep of ${plainLabel(plot.y)} against ${plainLabel(plot.x)}${plot.x.scale === 'log' ? ' (log scale)' : ''}. ${arms.join(' ')}`;
  },
};

function pointHover(arm: string, p: SweepPoint, s: PointStats | undefined, spread: string, plot: SweepPlot): string {
  const head = `<b>${escapePlotText(arm)}</b>`;
  if (!s) return `${head}: all ${p.diverged ?? 0} seeds diverged`;
  const res = s.std > 0 ? s.std / 100 : undefined;
  const value =
    spread === 'min-max'
      ? `${formatNumber(s.mean, res)} (min ${formatNumber(s.min, res)}, max ${formatNumber(s.max, res)})`
      : `${formatNumber(s.mean, res)} ± ${formatNumber(s.std)}`;
  const diverged = (p.diverged ?? 0) > 0 ? `, ${p.diverged} diverged` : '';
  return `${head}: ${value} ${escapePlotText(plot.y.unit ?? '')} (${s.n} seed${s.n === 1 ? '' : 's'}${diverged})`.replace(/ {2,}/g, ' ');
}

/** The axes a sweep draws on: the main plot and, when seeds diverged, the lane above it. */
interface SweepAxes {
  xName: string;
  yName: string;
  laneY: string | undefined;
  /** Arms with a row in the diverged lane, in lane order. */
  laneArms: string[];
  /** Every arm, in legend order. */
  arms: string[];
}

/** One arm: its spread (band or error bars), its mean line, its diverged ✕s. Returns the y values drawn. */
function drawSweepArm(plot: SweepPlot, canvas: Canvas, target: SweepAxes, arm: SweepArm): number[] {
  const theme = canvas.theme;
  const { xName, yName } = target;
  const spread = spreadOf(plot);
  const band = plot.spreadStyle === 'band';
  const color = canvas.armColor(arm.arm);
  const stats = arm.points.map((p) => pointStats(p.values));
  const xsArm = arm.points.map((p) => p.x);
  const means = stats.map((s) => (s ? s.mean : null));
  const lowers = stats.map((s) => (s ? (spread === 'min-max' ? s.min : s.mean - s.std) : null));
  const uppers = stats.map((s) => (s ? (spread === 'min-max' ? s.max : s.mean + s.std) : null));
  const hover = arm.points.map((p, i) => pointHover(arm.arm, p, stats[i], spread, plot));
  if (spread !== 'none' && band) {
    const common = { type: 'scatter', mode: 'lines', x: xsArm, xaxis: xName, yaxis: yName, legendgroup: arm.arm, showlegend: false, hoverinfo: 'skip' };
    canvas.data.push({ ...common, name: `${arm.arm} low`, y: lowers, line: { width: 0, color } } as Partial<ScatterData> as ScatterData);
    canvas.data.push({
      ...common,
      name: `${arm.arm} high`,
      y: uppers,
      line: { width: 0, color },
      fill: 'tonexty',
      fillcolor: withAlpha(color, theme.highContrast ? 0.35 : 0.2),
    } as Partial<ScatterData> as ScatterData);
  }
  canvas.data.push({
    type: 'scatter',
    mode: 'lines+markers',
    x: xsArm,
    y: means,
    xaxis: xName,
    yaxis: yName,
    connectgaps: false,
    line: { color, width: theme.lineWidth },
    marker: {
      color,
      symbol: armSymbol(arm.arm),
      size: theme.highContrast ? 9 : 7,
      line: { width: 1, color: canvas.opaque ? theme.background : color },
    },
    ...(spread !== 'none' && !band
      ? {
          error_y: {
            type: 'data',
            symmetric: false,
            array: uppers.map((u, i) => (u === null ? 0 : u - means[i]!)),
            arrayminus: lowers.map((l, i) => (l === null ? 0 : means[i]! - l)),
            color,
            thickness: Math.max(1.5, theme.lineWidth - 0.5),
            width: 5,
          },
        }
      : {}),
    ...canvas.legendFor(arm.arm, target.arms.indexOf(arm.arm)),
    hovertext: hover,
    hovertemplate: '%{hovertext}<extra></extra>',
  } as Partial<ScatterData> as ScatterData);
  drawLaneMarks(plot, canvas, target, arm, color);
  return [...lowers, ...uppers, ...means].filter((v): v is number => v !== null);
}

/** The arm's ✕s in the diverged lane, one per parameter value where seeds diverged. */
function drawLaneMarks(plot: SweepPlot, canvas: Canvas, target: SweepAxes, arm: SweepArm, color: string): void {
  const lanePoints = arm.points.filter((p) => (p.diverged ?? 0) > 0);
  if (!target.laneY || lanePoints.length === 0) return;
  const row = target.laneArms.indexOf(arm.arm);
  canvas.data.push({
    type: 'scatter',
    mode: 'markers',
    x: lanePoints.map((p) => p.x),
    y: lanePoints.map(() => row),
    xaxis: target.xName,
    yaxis: target.laneY,
    name: `${arm.arm} diverged`,
    legendgroup: arm.arm,
    showlegend: false,
    marker: canvas.divergedMarker(color),
    hovertext: lanePoints.map((p) => {
      const total = p.values.length + (p.diverged ?? 0);
      return `<b>${escapePlotText(arm.arm)}</b> · ${escapePlotText(plot.x.label)} ${formatNumber(p.x)}: ${p.diverged}/${total} seeds diverged${p.reason ? `<br>${escapePlotText(p.reason)}` : ''}`;
    }),
    hovertemplate: '%{hovertext}<extra></extra>',
  } as Partial<ScatterData> as ScatterData);
}

/** The main axes (x shared with the lane) and the lane's category-like axis with its tinted background. */
function sweepAxes(plot: SweepPlot, canvas: Canvas, box: Box, target: SweepAxes, sizes: { k: number; laneK: number | undefined; lane: number; values: number[] }): void {
  const theme = canvas.theme;
  const { xName, yName, laneY } = target;
  const { k, laneK, lane } = sizes;
  const xs = plot.arms.flatMap((arm) => arm.points.map((p) => p.x));
  const [xlo, xhi] = extent(xs);
  const [ylo, yhi] = extent(sizes.values);
  const mainTop = box.top + (lane ? lane + LANE_GAP : 0);
  canvas.axes[layoutKey('x', k)] = {
    ...canvas.baseAxis(),
    ...numericAxis(plot.x, xlo, xhi, xs),
    domain: [box.x0, box.x1],
    anchor: yName as LayoutAxis['anchor'],
    title: canvas.axisTitle(plot.x),
    ...(plot.x.scale === 'log' ? {} : { nticks: 10 }),
  };
  canvas.axes[layoutKey('y', k)] = {
    ...canvas.baseAxis(),
    ...numericAxis(plot.y, ylo, yhi),
    domain: [canvas.y(box.top + box.height), canvas.y(mainTop)],
    anchor: xName as LayoutAxis['anchor'],
    nticks: 8,
    title: canvas.axisTitle(plot.y, 4),
  };
  if (laneK === undefined || !laneY) return;
  const n = target.laneArms.length;
  canvas.axes[layoutKey('y', laneK)] = {
    ...canvas.baseAxis(),
    domain: [canvas.y(box.top + lane), canvas.y(box.top)],
    anchor: xName as LayoutAxis['anchor'],
    range: [-0.7, n - 0.3],
    autorange: false,
    fixedrange: true,
    showgrid: false,
    showline: false,
    zeroline: false,
    ticks: '',
    tickmode: 'array',
    tickvals: [(n - 1) / 2],
    ticktext: ['diverged'],
    tickfont: { size: canvas.smallSize, color: theme.foreground },
  };
  canvas.shapes.push({
    type: 'rect',
    layer: 'below',
    xref: `${xName} domain` as Shape['xref'],
    yref: `${laneY} domain` as Shape['yref'],
    x0: 0,
    x1: 1,
    y0: 0,
    y1: 1,
    fillcolor: withAlpha(theme.series[3] ?? '#e51400', theme.kind === 'dark' ? 0.12 : 0.06),
    line: { width: theme.highContrast ? 1 : 0, color: theme.contrastBorder },
  });
}
