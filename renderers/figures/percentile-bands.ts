/**
 * `percentile-bands`: percentiles of a quantity over training steps, one subplot per arm side by side,
 * all sharing one y axis. Symmetric pairs of percentiles are shaded bands (the outer ones lighter); the
 * middle percentile is a line; a divergence is a ✕ and a dotted line at its step.
 */
import type { LayoutAxis, ScatterData } from 'plotly.js-dist';
import type { PercentileBandsPlot } from '../../src/shared/payload';
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
    const theme = canvas.theme;
    const { cols, cell } = layout(plot, canvas.innerWidth * (box.x1 - box.x0), compact);
    const { bands, middle } = pairs(plot.percentiles.length);
    const allValues = plot.arms.flatMap((arm) => arm.values);
    const [lo, hi] = extent(...allValues);
    const [xlo, xhi] = extent(...plot.arms.map((arm) => arm.steps));
    const valueAxes: string[] = [];
    let firstX: string | undefined;
    let firstY: string | undefined;

    plot.arms.forEach((arm, a) => {
      const row = Math.floor(a / cols);
      const col = a % cols;
      const k = canvas.nextAxis();
      const xName = axisId('x', k);
      const yName = axisId('y', k);
      firstX ??= xName;
      firstY ??= yName;
      valueAxes.push(yName);
      const color = canvas.armColor(arm.arm);
      const top = box.top + row * (ARM_TITLE + cell + AXIS_BOTTOM) + ARM_TITLE;
      const [x0, x1] = columnSpan(box, canvas, cols, col, 34);
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
      // Outer bands first, so inner bands (darker: their fills add up) sit on top.
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

      if (arm.diverged) {
        const d = arm.diverged;
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

      const lastRow = row === Math.floor((plot.arms.length - 1) / cols);
      canvas.axes[layoutKey('x', k)] = {
        ...canvas.baseAxis(),
        ...numericAxis(plot.x, xlo, xhi),
        domain: [x0, x1],
        anchor: yName as LayoutAxis['anchor'],
        nticks: Math.max(3, Math.min(8, Math.round((canvas.innerWidth * (x1 - x0)) / 70))),
        ...(xName !== firstX ? { matches: firstX as LayoutAxis['matches'] } : {}),
        ...(lastRow ? { title: canvas.axisTitle(plot.x) } : {}),
      };
      canvas.axes[layoutKey('y', k)] = {
        ...canvas.baseAxis(),
        ...numericAxis(plot.y, lo, hi),
        domain: [canvas.y(top + cell), canvas.y(top)],
        anchor: xName as LayoutAxis['anchor'],
        nticks: compact ? 5 : 8,
        ...(yName !== firstY ? { matches: firstY as LayoutAxis['matches'] } : {}),
        ...(col === 0 ? { title: canvas.axisTitle(plot.y, 4) } : { showticklabels: false }),
      };
      canvas.header(arm.arm, x0, top, { color, anchor: 'left' });
    });
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
