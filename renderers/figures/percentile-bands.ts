/**
 * `percentile-bands`: percentiles of a quantity over training steps, one subplot per arm side by side,
 * all sharing one y axis. Symmetric pairs of percentiles are shaded bands (the outer ones lighter); the
 * middle percentile is a line; a divergence is a ✕ and a dotted line at its step.
 */
import type { LayoutAxis, ScatterData } from 'plotly.js-dist';
import type { Divergence, PercentileArm, PercentileBandsPlot } from '../../src/shared/payload';
import { escapePlotText, formatNumber } from '../format';
import { withAlpha } from '../palette';
import {
  AXIS_BOTTOM,
  axisId,
  columnSpan,
  extent,
  gridColumns,
  layoutKey,
  numericAxis,
  plainLabel,
  type Box,
  type Canvas,
  type Drawn,
  type KindDrawer,
} from './common';

const ARM_TITLE = 22;

export function ordinal(p: number): string {
  const text = formatNumber(p, 0.1);
  if (!/^\d+$/.test(text)) return `${text}th`;
  const n = Number(text);
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${text}${suffix}`;
}

/** Pairs of percentile indexes (outermost first) and the middle index, if the count is odd. */
function pairs(count: number): { bands: Array<[number, number]>; middle: number | undefined } {
  const bands: Array<[number, number]> = [];
  for (let i = 0; i < Math.floor(count / 2); i++) bands.push([i, count - 1 - i]);
  return { bands, middle: count % 2 === 1 ? (count - 1) / 2 : undefined };
}

function layout(plot: PercentileBandsPlot, widthPx: number, compact: boolean): { cols: number; rows: number; cell: number } {
  const cols = gridColumns(plot.arms.length, widthPx, compact ? 130 : 190, 4);
  return { cols, rows: Math.ceil(plot.arms.length / cols), cell: compact ? 140 : 250 };
}

export const percentileBands: KindDrawer<PercentileBandsPlot> = {
  defaultTitle: 'Percentiles over training',
  hovermode: 'x unified',

  sides: () => ({ left: 64, right: 24 }),

  measure(plot, _canvas, widthPx, compact) {
    const { rows, cell } = layout(plot, widthPx, compact);
    return { height: rows * (ARM_TITLE + cell) + (rows - 1) * AXIS_BOTTOM, header: 0 };
  },

  draw(plot, canvas, box, compact) {
    const { cols, cell } = layout(plot, canvas.innerWidth * (box.x1 - box.x0), compact);
    const grid: ArmGrid = {
      cols,
      cell,
      compact,
      yExtent: extent(...plot.arms.flatMap((arm) => arm.values)),
      xExtent: extent(...plot.arms.map((arm) => arm.steps)),
      firstK: undefined,
    };
    const valueAxes = plot.arms.map((arm, a) => drawArmPanel(plot, canvas, box, grid, arm, a));
    return { valueAxes } satisfies Drawn;
  },

  styleKey(plot) {
    const { bands, middle } = pairs(plot.percentiles.length);
    const parts: string[] = [];
    if (middle !== undefined) {
      const p = plot.percentiles[middle]!;
      parts.push(`line: ${p === 50 ? 'median' : `${ordinal(p)} percentile`}`);
    }
    if (bands.length > 0) {
      const ranges = bands
        .slice()
        .reverse()
        .map(([l, h]) => `${ordinal(plot.percentiles[l]!)}–${ordinal(plot.percentiles[h]!)}`);
      parts.push(`shaded: ${ranges.join(' and ')} percentiles`);
    }
    if (plot.arms.some((arm) => arm.diverged)) parts.push('✕: diverged');
    return parts.join(' · ');
  },

  arms: (plot) => plot.arms.map((arm) => arm.arm),

  describe(plot) {
    const ps = plot.percentiles.map(ordinal).join(', ');
    const arms = plot.arms.map((arm) => {
      const { middle } = pairs(plot.percentiles.length);
      const series = arm.values[middle ?? 0]!;
      const end = series[series.length - 1];
      const tail = arm.diverged ? ` Diverged: ${arm.diverged.reason}.` : '';
      return `${arm.arm}: ${arm.steps.length} points, ${ordinal(plot.percentiles[middle ?? 0]!)} percentile ends at ${end === undefined ? 'nothing' : formatNumber(end)}.${tail}`;
    });
    return `The ${ps} percentiles of ${plainLabel(plot.y)} against ${plainLabel(plot.x)}, one panel per arm. ${arms.join(' ')}`;
  },
};

/** What every arm's panel shares: the grid and the extents of the shared axes. */
interface ArmGrid {
  cols: number;
  cell: number;
  compact: boolean;
  yExtent: [number, number];
  xExtent: [number, number];
  /** Axis number of the first panel (the others match its axes). */
  firstK: number | undefined;
}

/** One arm's subplot: its bands and line, its divergence, its axes and its title. Returns its y axis id. */
function drawArmPanel(plot: PercentileBandsPlot, canvas: Canvas, box: Box, grid: ArmGrid, arm: PercentileArm, a: number): string {
  const row = Math.floor(a / grid.cols);
  const col = a % grid.cols;
  const k = canvas.nextAxis();
  grid.firstK ??= k;
  const xName = axisId('x', k);
  const yName = axisId('y', k);
  const color = canvas.armColor(arm.arm);
  const top = box.top + row * (ARM_TITLE + grid.cell + AXIS_BOTTOM) + ARM_TITLE;
  const [x0, x1] = columnSpan(box, canvas, grid.cols, col, 34);
  drawBands(plot, canvas, arm, xName, yName, color);
  if (arm.diverged) markArmDivergence(plot, canvas, arm, arm.diverged, xName, yName, color);

  const first = k === grid.firstK;
  const lastRow = row === Math.floor((plot.arms.length - 1) / grid.cols);
  const [xlo, xhi] = grid.xExtent;
  canvas.axes[layoutKey('x', k)] = {
    ...canvas.baseAxis(),
    ...numericAxis(plot.x, xlo, xhi),
    ...(first ? canvas.growingRange(plot.x, xlo, xhi) : { matches: axisId('x', grid.firstK) as LayoutAxis['matches'] }),
    domain: [x0, x1],
    anchor: yName as LayoutAxis['anchor'],
    nticks: Math.max(3, Math.min(8, Math.round((canvas.innerWidth * (x1 - x0)) / 70))),
    ...(lastRow ? { title: canvas.axisTitle(plot.x) } : {}),
  };
  canvas.axes[layoutKey('y', k)] = {
    ...canvas.baseAxis(),
    ...numericAxis(plot.y, ...grid.yExtent),
    domain: [canvas.y(top + grid.cell), canvas.y(top)],
    anchor: xName as LayoutAxis['anchor'],
    nticks: grid.compact ? 5 : 8,
    ...(first ? {} : { matches: axisId('y', grid.firstK) as LayoutAxis['matches'] }),
    ...(col === 0 ? { title: canvas.axisTitle(plot.y, 4) } : { showticklabels: false }),
  };
  canvas.header(arm.arm, x0, top, { color, anchor: 'left' });
  return yName;
}

/** Outer bands first, so inner bands (darker: their fills add up) sit on top; the middle percentile as a line. */
function drawBands(plot: PercentileBandsPlot, canvas: Canvas, arm: PercentileArm, xName: string, yName: string, color: string): void {
  const theme = canvas.theme;
  const { bands, middle } = pairs(plot.percentiles.length);
  const legend = canvas.legendFor(arm.arm);
  const line = (p: number, extra: Partial<ScatterData>): void => {
    canvas.data.push({
      type: 'scatter',
      mode: 'lines',
      x: arm.steps,
      y: arm.values[p]!,
      xaxis: xName,
      yaxis: yName,
      legendgroup: arm.arm,
      name: arm.arm,
      showlegend: false,
      hovertemplate: `${escapePlotText(arm.arm)} · ${ordinal(plot.percentiles[p]!)} percentile: %{y:.4~g}<extra></extra>`,
      ...extra,
    } as Partial<ScatterData> as ScatterData);
  };
  bands.forEach(([low, high], depth) => {
    const edge = { color: withAlpha(color, theme.highContrast ? 0.9 : 0.45), width: theme.highContrast ? 1.5 : 0.8 };
    line(low, { line: edge });
    line(high, {
      line: edge,
      fill: 'tonexty',
      fillcolor: withAlpha(color, (theme.highContrast ? 0.3 : theme.kind === 'dark' ? 0.2 : 0.16) + depth * 0.08),
      ...(middle === undefined && depth === 0 ? legend : {}),
    });
  });
  if (middle !== undefined) line(middle, { line: { color, width: theme.lineWidth }, ...legend });
}

/** A divergence: the dotted line and ✕ at its step (on the middle percentile), labelled in the corner. */
function markArmDivergence(plot: PercentileBandsPlot, canvas: Canvas, arm: PercentileArm, d: Divergence, xName: string, yName: string, color: string): void {
  const { middle } = pairs(plot.percentiles.length);
  let at = -1;
  arm.steps.forEach((s, i) => {
    if (s <= d.step) at = i;
  });
  const series = arm.values[middle ?? 0]!;
  const y = at >= 0 ? series[at]! : series[0]!;
  canvas.markDivergence({ arm: arm.arm, step: d.step, reason: d.reason, y, xName, yName, color });
  canvas.annotations.push({
    xref: xName as never,
    yref: `${yName} domain` as never,
    x: d.step,
    y: 1,
    xanchor: 'right',
    yanchor: 'top',
    showarrow: false,
    text: 'diverged ✕',
    font: { size: canvas.smallSize, color },
  });
}
