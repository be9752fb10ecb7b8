/**
 * `heatmap`: per-channel or per-layer statistics over time: x steps, y labelled rows (first label at the
 * top), a colour per cell. All heatmaps of a figure share one colour axis (one colour bar on the right):
 * a diverging scale (theme blue – neutral – theme red, centred on `center`) for signed values,
 * Viridis otherwise.
 */
import type { HeatmapData, LayoutAxis } from 'plotly.js-dist';
import type { HeatmapPlot } from '../../src/shared/payload';
import { escapePlotText, formatNumber } from '../format';
import type { PlotTheme } from '../palette';
import { axisId, extent, layoutKey, numericAxis, plainLabel, type Canvas, type KindDrawer } from './common';

/** Right margin for the colour bar, its tick labels and its title. */
export const COLORBAR_SPACE = 104;

export function isDiverging(plot: HeatmapPlot): boolean {
  if (plot.colorScale) return plot.colorScale === 'diverging';
  const center = plot.center ?? 0;
  const [lo, hi] = extent(...plot.z);
  return lo < center && hi > center;
}

export const heatmap: KindDrawer<HeatmapPlot> = {
  defaultTitle: 'Heatmap',
  hovermode: 'closest',

  sides(plot, canvas) {
    const chars = Math.max(1, ...plot.yLabels.map((l) => l.length));
    return { left: Math.min(180, Math.max(64, Math.round(chars * canvas.tickSize * 0.6) + 34)), right: COLORBAR_SPACE };
  },

  measure(plot, _canvas, _widthPx, compact) {
    const per = compact ? 11 : 18;
    const [lo, hi] = compact ? [90, 220] : [140, 480];
    return { height: Math.min(hi, Math.max(lo, plot.yLabels.length * per)), header: 0 };
  },

  draw(plot, canvas, box, compact) {
    const k = canvas.nextAxis();
    const xName = axisId('x', k);
    const yName = axisId('y', k);
    const [lo, hi] = extent(...plot.z);
    const center = plot.center ?? 0;
    const diverging = isDiverging(plot);
    const title = plainLabel(plot.value);
    const previous = canvas.coloraxis;
    canvas.coloraxis = previous
      ? { min: Math.min(previous.min, lo), max: Math.max(previous.max, hi), diverging: previous.diverging || diverging, center: previous.center, title: previous.title }
      : { min: lo, max: hi, diverging, center, title };
    const unit = plot.value.unit ? ` ${escapePlotText(plot.value.unit)}` : '';
    canvas.data.push({
      type: 'heatmap',
      x: plot.xValues,
      y: plot.yLabels,
      z: plot.z,
      coloraxis: 'coloraxis',
      xaxis: xName,
      yaxis: yName,
      name: plot.title,
      hovertemplate:
        `${escapePlotText(plot.y.label)} %{y} · ${escapePlotText(plot.x.label)} %{x}<br>` +
        `${escapePlotText(plot.value.label)}: <b>%{z:.4~g}</b>${unit}<extra></extra>`,
      xgap: canvas.theme.highContrast ? 1 : 0,
      ygap: plot.yLabels.length <= 32 ? 1 : 0,
    } as Partial<HeatmapData> as HeatmapData);
    const [xlo, xhi] = extent(plot.xValues);
    const rowsShown = Math.max(2, Math.floor(box.height / (canvas.tickSize + 3)));
    canvas.axes[layoutKey('x', k)] = {
      ...canvas.baseAxis(),
      ...numericAxis(plot.x, xlo, xhi),
      domain: [box.x0, box.x1],
      anchor: yName as LayoutAxis['anchor'],
      showgrid: false,
      nticks: Math.max(3, Math.min(10, Math.round((canvas.innerWidth * (box.x1 - box.x0)) / 80))),
      title: canvas.axisTitle(plot.x),
    };
    canvas.axes[layoutKey('y', k)] = {
      ...canvas.baseAxis(),
      type: 'category',
      domain: [canvas.y(box.top + box.height), canvas.y(box.top)],
      anchor: xName as LayoutAxis['anchor'],
      autorange: 'reversed',
      showgrid: false,
      ticks: '',
      // Thin out row labels that would not fit (every n-th label).
      ...(plot.yLabels.length > rowsShown
        ? {
            tickmode: 'array',
            tickvals: plot.yLabels.filter((_, i) => i % Math.ceil(plot.yLabels.length / rowsShown) === 0),
          }
        : {}),
      title: canvas.axisTitle(plot.y, compact ? 2 : 6),
    };
    return { valueAxes: [] };
  },

  styleKey(plot) {
    const scale = isDiverging(plot) ? `diverging around ${formatNumber(plot.center ?? 0)}` : 'sequential';
    return `colour: ${plainLabel(plot.value)}, ${scale}`;
  },

  arms: () => [],

  describe(plot) {
    const [lo, hi] = extent(...plot.z);
    return (
      `Heatmap of ${plainLabel(plot.value)} by ${plot.y.label} (${plot.yLabels.length} rows: ${plot.yLabels.slice(0, 6).join(', ')}` +
      `${plot.yLabels.length > 6 ? ', …' : ''}) and ${plainLabel(plot.x)} (${plot.xValues.length} columns), ` +
      `from ${formatNumber(lo)} to ${formatNumber(hi)}.`
    );
  },
};

/** The layout's shared colour axis for the heatmaps drawn on `canvas`, or undefined if there are none. */
export function colorAxisLayout(canvas: Canvas): Record<string, unknown> | undefined {
  const axis = canvas.coloraxis;
  if (!axis) return undefined;
  const theme = canvas.theme;
  let { min, max } = axis;
  if (axis.diverging) {
    const reach = Math.max(Math.abs(max - axis.center), Math.abs(axis.center - min)) || 1;
    min = axis.center - reach;
    max = axis.center + reach;
  } else if (!(max > min)) {
    max = min + 1;
  }
  return {
    cmin: min,
    cmax: max,
    colorscale: axis.diverging ? divergingScale(theme, canvas.opaque) : 'Viridis',
    colorbar: {
      title: { text: escapePlotText(axis.title), side: 'right', font: { size: theme.fontSize, color: theme.foreground } },
      thickness: 12,
      len: 1,
      lenmode: 'fraction',
      y: 0.5,
      yanchor: 'middle',
      x: 1,
      xref: 'paper',
      xanchor: 'left',
      xpad: 12,
      ypad: 0,
      outlinewidth: theme.highContrast ? 1 : 0,
      outlinecolor: theme.contrastBorder,
      tickfont: { size: canvas.tickSize, color: theme.foreground },
      exponentformat: 'SI',
      nticks: 6,
    },
  };
}

function divergingScale(theme: PlotTheme, opaque: boolean): Array<[number, string]> {
  const dark = theme.kind === 'dark' || theme.kind === 'high-contrast';
  const mid = opaque ? theme.background : dark ? '#1f1f1f' : '#ffffff';
  const blue = dark ? '#4a9eff' : '#1f5fbf';
  const red = dark ? '#ff6b5e' : '#c0281b';
  const midBlue = dark ? '#24507f' : '#9cc3f0';
  const midRed = dark ? '#803530' : '#f0a59c';
  return [
    [0, blue],
    [0.25, midBlue],
    [0.5, mid],
    [0.75, midRed],
    [1, red],
  ];
}
