/**
 * `training-curves`: named metrics (loss, accuracy, …) against steps, one subplot per metric, one colour
 * per arm, one dash style per split; a divergence is a dotted line at its step in every subplot and a ✕
 * on the arm's last value, with the reason on hover.
 */
import type { LayoutAxis, ScatterData } from 'plotly.js-dist';
import type { ArmDivergence, Curve, TrainingCurvesPlot } from '../../src/shared/payload';
import { armSymbol, byArmLayer } from '../arms';
import { escapePlotText, formatNumber } from '../format';
import {
  AXIS_BOTTOM,
  SPLIT_DASH,
  axisId,
  columnSpan,
  extent,
  gridColumns,
  layoutKey,
  numericAxis,
  plainLabel,
  type Canvas,
  type Drawn,
  type KindDrawer,
} from './common';

const DASH_NAMES: Record<string, string> = { solid: 'solid', dash: 'dashed', dot: 'dotted' };

function grid(plot: TrainingCurvesPlot, widthPx: number, compact: boolean): { cols: number; rows: number; cell: number } {
  const cols = gridColumns(plot.metrics.length, widthPx, compact ? 150 : 280, 3);
  return { cols, rows: Math.ceil(plot.metrics.length / cols), cell: compact ? 140 : 260 };
}

const MAX_LABELS = 3;
/** Markers per curve at most (evenly thinned by plotly): enough to tell arms apart, few enough to stay light. */
const MARKERS_SHOWN = 12;

/** Space above the subplots for the divergence labels. */
function divergenceHeader(plot: TrainingCurvesPlot, compact: boolean): number {
  const n = Math.min(MAX_LABELS, (plot.divergences ?? []).length);
  return n === 0 || compact ? 0 : n * 16 + 2;
}

function splitOf(curve: Curve): string {
  return curve.split ?? 'train';
}

/** The arm's value of `metric` at the last step ≤ `step` (train split preferred). */
function valueAt(plot: TrainingCurvesPlot, arm: string, metric: string, step: number): number | undefined {
  const curves = plot.curves.filter((c) => c.arm === arm && c.metric === metric);
  curves.sort((a, b) => (splitOf(a) === 'train' ? -1 : 0) - (splitOf(b) === 'train' ? -1 : 0));
  for (const curve of curves) {
    let found: number | undefined;
    curve.steps.forEach((s, i) => {
      if (s <= step) found = curve.values[i];
    });
    if (found !== undefined) return found;
  }
  return undefined;
}

export const trainingCurves: KindDrawer<TrainingCurvesPlot> = {
  defaultTitle: 'Training curves',
  hovermode: 'x unified',

  sides: () => ({ left: 64, right: 24 }),

  measure(plot, _canvas, widthPx, compact) {
    const { rows, cell } = grid(plot, widthPx, compact);
    return { height: rows * cell + (rows - 1) * (AXIS_BOTTOM + 8), header: divergenceHeader(plot, compact) };
  },

  draw(plot, canvas, box, compact) {
    const theme = canvas.theme;
    const { cols, cell } = grid(plot, canvas.innerWidth * (box.x1 - box.x0), compact);
    const [xlo, xhi] = extent(...plot.curves.map((c) => c.steps));
    const valueAxes: string[] = [];
    const arms = trainingCurves.arms(plot);
    const lastRow = Math.floor((plot.metrics.length - 1) / cols);
    let firstX: string | undefined;

    plot.metrics.forEach((metric, m) => {
      const row = Math.floor(m / cols);
      const col = m % cols;
      const k = canvas.nextAxis();
      const xName = axisId('x', k);
      const yName = axisId('y', k);
      firstX ??= xName;
      valueAxes.push(yName);
      const top = box.top + row * (cell + AXIS_BOTTOM + 8);
      const [x0, x1] = columnSpan(box, canvas, cols, col, 76);
      const curves = plot.curves.filter((c) => c.metric === metric.id);
      for (const curve of byArmLayer(curves, (c) => c.arm)) {
        const color = canvas.armColor(curve.arm);
        const split = splitOf(curve);
        canvas.data.push({
          type: 'scatter',
          // Open markers in the arm's shape: an arm whose line lies under another's still shows.
          mode: curve.steps.length === 1 ? 'markers' : 'lines+markers',
          x: curve.steps,
          y: curve.values,
          xaxis: xName,
          yaxis: yName,
          line: { color, width: theme.lineWidth, dash: SPLIT_DASH[split] ?? 'dashdot' },
          marker: { color, size: 6, symbol: `${armSymbol(curve.arm)}-open`, maxdisplayed: MARKERS_SHOWN, line: { width: 1.5, color } },
          ...canvas.legendFor(curve.arm, arms.indexOf(curve.arm)),
          hovertemplate: `${escapePlotText(curve.arm)} · ${escapePlotText(split)}: %{y:.4~g}<extra></extra>`,
        } as Partial<ScatterData> as ScatterData);
      }
      (plot.divergences ?? []).forEach((d, i) => {
        const color = canvas.armColor(d.arm);
        canvas.markDivergence({ arm: d.arm, step: d.step, reason: d.reason, y: valueAt(plot, d.arm, metric.id, d.step), xName, yName, color });
        // Above the first subplot (in the header space measure() reserved), left-aligned on the dotted line.
        if (m === 0 && i < MAX_LABELS && !compact) labelDivergence(canvas, d, i, xName, yName, color);
      });
      const [lo, hi] = extent(...curves.map((c) => c.values));
      canvas.axes[layoutKey('x', k)] = {
        ...canvas.baseAxis(),
        ...numericAxis(plot.x, xlo, xhi),
        ...(xName === firstX ? canvas.growingRange(plot.x, xlo, xhi) : {}),
        domain: [x0, x1],
        anchor: yName as LayoutAxis['anchor'],
        nticks: Math.max(3, Math.min(8, Math.round((canvas.innerWidth * (x1 - x0)) / 70))),
        ...(xName !== firstX ? { matches: firstX as LayoutAxis['matches'] } : {}),
        ...(row === lastRow || compact ? { title: canvas.axisTitle(plot.x) } : {}),
      };
      canvas.axes[layoutKey('y', k)] = {
        ...canvas.baseAxis(),
        ...numericAxis(metric, lo, hi),
        domain: [canvas.y(top + cell), canvas.y(top)],
        anchor: xName as LayoutAxis['anchor'],
        nticks: compact ? 5 : 8,
        title: canvas.axisTitle(metric, 4),
      };
    });
    return { valueAxes } satisfies Drawn;
  },

  styleKey(plot) {
    const splits = [...new Set(plot.curves.map(splitOf))];
    const parts = splits.map((split) => `${DASH_NAMES[SPLIT_DASH[split] ?? ''] ?? 'dash-dotted'}: ${split}`);
    if ((plot.divergences ?? []).length > 0) parts.push('✕: diverged');
    return ['colour: arm', ...parts].join(' · ');
  },

  arms: (plot) => [...new Set(plot.curves.map((c) => c.arm))],

  describe(plot) {
    const metrics = plot.metrics.map((m) => {
      const ends = plot.curves
        .filter((c) => c.metric === m.id)
        .map((c) => `${c.arm} ${splitOf(c)} ends at ${formatNumber(c.values[c.values.length - 1] ?? NaN)}`);
      return `${plainLabel(m)}: ${ends.join(', ')}.`;
    });
    const diverged = (plot.divergences ?? []).map((d) => `${d.arm} diverged: ${d.reason}.`);
    return `Training curves against ${plainLabel(plot.x)}. ${[...metrics, ...diverged].join(' ')}`;
  },
};

function labelDivergence(canvas: Canvas, d: ArmDivergence, i: number, xName: string, yName: string, color: string): void {
  canvas.annotations.push({
    xref: xName as never,
    yref: `${yName} domain` as never,
    x: d.step,
    y: 1,
    xanchor: 'left',
    yanchor: 'bottom',
    xshift: -5,
    yshift: 1 + i * (canvas.smallSize + 5),
    showarrow: false,
    text: `✕ ${escapePlotText(d.arm)} diverged at step ${formatNumber(d.step, 1)}`,
    font: { size: canvas.smallSize, color },
  });
}
