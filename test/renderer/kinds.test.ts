// The pure side of the new plot kinds, in node: toFigure for every kind with the light/dark presets, the
// arm palette, log axes, divergence marks, and validation paths for every kind. (Chromium: plots.test.ts.)
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LayoutAxis, ScatterData } from 'plotly.js-dist';
import type { PlotPayload, TrainingCurvesPlot } from '../../src/shared/payload';
import { armSymbol } from '../../renderers/arms';
import { armColor, armKey, armSlot, darkTheme, describePlot, lightTheme, toFigure, traceCount } from '../../renderers/figure';
import { validatePayload } from '../../renderers/validate';
import { distributionPayload } from './harness';
import {
  everyKind,
  heatmapPayload,
  percentileBandsPayload,
  smallMultiplesPayload,
  sweepPayload,
  trainingCurvesPayload,
  violinPayload,
} from './payloads';

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
type Axes = Record<string, Partial<LayoutAxis>>;
const axesOf = (layout: object, prefix: 'x' | 'y'): string[] => Object.keys(layout).filter((k) => new RegExp(`^${prefix}axis\\d*$`).test(k));
const scatter = (data: unknown[]): Array<Partial<ScatterData>> => data as Array<Partial<ScatterData>>;

describe('toFigure: every kind, in node, without a DOM', () => {
  for (const { name, payload } of everyKind()) {
    test(`${name}: valid payload, JSON-clean figure, title, axis titles, config`, () => {
      const checked = validatePayload(payload);
      assert.equal(checked.ok, true, JSON.stringify(checked));
      for (const theme of [lightTheme(), darkTheme()]) {
        const figure = toFigure(payload, theme, { width: 860 });
        assert.deepEqual(JSON.parse(JSON.stringify(figure)), figure, 'plain data (no functions)');
        assert.ok(figure.data.length > 0);
        assert.ok((figure.layout.title as { text: string }).text.length > 0);
        assert.equal(figure.layout.paper_bgcolor, theme.background);
        assert.equal(figure.config.displaylogo, false);
        const titled = Object.entries(figure.layout as Axes).filter(([k, a]) => /^[xy]axis\d*$/.test(k) && a.title);
        assert.ok(titled.length >= 2, `axis titles: ${titled.map(([k]) => k)}`);
      }
    });
  }

  test('expected trace and axis counts per kind', () => {
    const expect: Record<string, { traces: number; x: number; y: number }> = {
      'distribution-comparison': { traces: 8, x: 8, y: 8 },
      'distribution-violin': { traces: 2 * 4 + 2, x: 2, y: 2 },
      'percentile-bands': { traces: 2 * 3, x: 2, y: 2 },
      // 3 arms × 2 splits × 2 metrics lines + a ✕ per metric for the diverged arm
      'training-curves': { traces: 12 + 2, x: 2, y: 2 },
      // a line per arm + the diverged lane's ✕ per arm
      sweep: { traces: 2 + 2, x: 1, y: 2 },
      heatmap: { traces: 1, x: 1, y: 1 },
      'small-multiples': { traces: 4 * 4, x: 4, y: 8 },
    };
    for (const { name, payload } of everyKind()) {
      const figure = toFigure(payload, lightTheme());
      const want = expect[name]!;
      assert.deepEqual(
        { traces: figure.data.length, x: axesOf(figure.layout, 'x').length, y: axesOf(figure.layout, 'y').length },
        want,
        name,
      );
      assert.equal(traceCount(payload.plot), want.traces, name);
    }
  });

  test('the light and dark presets differ and need no CSS variables', () => {
    const light = lightTheme();
    const dark = darkTheme();
    assert.notEqual(light.background, dark.background);
    assert.notEqual(light.armPalette[0], dark.armPalette[0]);
    light.series[0] = 'mutated';
    assert.notEqual(lightTheme().series[0], 'mutated', 'presets are fresh copies');
  });
});

describe('arm palette', () => {
  test('well-known names get fixed slots; spelling variants and abbreviations agree', () => {
    assert.equal(armSlot('BatchNorm'), 0);
    for (const name of ['BN', 'batch norm', 'Batch-Norm', 'batchnorm2d', 'BatchNorm1d']) assert.equal(armSlot(name), armSlot('BatchNorm'), name);
    for (const name of ['no-norm', 'No norm', 'none', 'baseline']) assert.equal(armKey(name), 'nonorm', name);
    const known = ['no norm', 'BatchNorm', 'LayerNorm', 'GroupNorm', 'InstanceNorm', 'Batch Renorm', 'noisy BN', 'dropout'];
    assert.equal(new Set(known.map(armSlot)).size, known.length, 'distinct colours for the well-known arms');
  });

  test('other names: a stable hash into the slots no well-known arm uses', () => {
    const known = new Set(['no norm', 'BatchNorm', 'LayerNorm', 'GroupNorm', 'InstanceNorm', 'Batch Renorm', 'noisy BN', 'dropout'].map(armSlot));
    for (const name of ['BN lr=0.1', 'my arm', 'WeightStandardization', 'FixUp']) {
      assert.equal(armSlot(name), armSlot(name));
      assert.ok(!known.has(armSlot(name)), `${name} → slot ${armSlot(name)}`);
    }
    assert.equal(armSlot('FixUp'), armSlot('fix-up'));
  });

  test('the same arm gets the same colour in every kind; the colour follows the theme', () => {
    const colorOf = (payload: PlotPayload, arm: string, theme = lightTheme()): string[] => {
      const data = scatter(toFigure(payload, theme).data).filter((t) => t.legendgroup === arm && t.showlegend);
      return data.map((t) => String(t.line?.color ?? t.marker?.color));
    };
    for (const arm of ['no norm', 'BatchNorm']) {
      const colours = [
        ...colorOf(percentileBandsPayload(), arm),
        ...colorOf(trainingCurvesPayload(), arm),
        ...colorOf(sweepPayload(), arm),
        ...colorOf(smallMultiplesPayload(), arm),
      ];
      assert.equal(colours.length, 4, `one legend entry per plot for ${arm}`);
      assert.deepEqual(new Set(colours), new Set([armColor(arm, lightTheme())]), arm);
      assert.deepEqual(colorOf(sweepPayload(), arm, darkTheme()), [armColor(arm, darkTheme())]);
    }
    assert.equal(armColor('BatchNorm', lightTheme()), lightTheme().series[0], 'BatchNorm is --vscode-charts-blue');
    assert.notEqual(armColor('BatchNorm', lightTheme()), armColor('no norm', lightTheme()));
  });
});

describe('kinds in detail', () => {
  test('percentile-bands: one subplot per arm, shared y (matches), bands filled to the next trace, legend groups', () => {
    const fig = toFigure(percentileBandsPayload(), lightTheme());
    const axes = fig.layout as Axes;
    assert.equal(axes.yaxis2!.matches, 'y');
    assert.equal(axes.yaxis2!.showticklabels, false, 'only the first column repeats no tick labels');
    assert.equal(axes.xaxis2!.matches, 'x');
    const traces = scatter(fig.data);
    assert.deepEqual(traces.map((t) => t.fill ?? null), [null, 'tonexty', null, null, 'tonexty', null]);
    assert.deepEqual(traces.map((t) => t.legendgroup), ['no norm', 'no norm', 'no norm', 'BatchNorm', 'BatchNorm', 'BatchNorm']);
    assert.equal(traces.filter((t) => t.showlegend).length, 2);
    assert.match(String((fig.layout.title as { subtitle: { text: string } }).subtitle.text), /line: median · shaded: 15th–85th percentiles/);
    const five = toFigure(percentileBandsPayload({ percentiles: [5, 25, 50, 75, 95] }), lightTheme());
    assert.match(String((five.layout.title as { subtitle: { text: string } }).subtitle.text), /shaded: 25th–75th and 5th–95th percentiles/);
  });

  test('overlapping arms stay visible: the baseline is drawn last, each arm has its own open marker, legend order kept', () => {
    const fig = toFigure(trainingCurvesPayload(), lightTheme());
    const curves = scatter(fig.data).filter((t) => t.xaxis === 'x' && String(t.mode).startsWith('lines'));
    const order = curves.map((t) => t.legendgroup);
    assert.equal(order.at(-1), 'no norm', `drawing order ${JSON.stringify(order)}`);
    assert.ok(order.indexOf('no norm') > order.lastIndexOf('BatchNorm'), 'no norm above the other arms');
    const symbols = new Map(curves.map((t) => [t.legendgroup, (t.marker as { symbol?: string }).symbol]));
    assert.equal(new Set(symbols.values()).size, symbols.size, `one marker shape per arm: ${JSON.stringify([...symbols])}`);
    for (const symbol of symbols.values()) assert.match(String(symbol), /-open$/);
    const legend = scatter(fig.data)
      .filter((t) => t.showlegend)
      .sort((a, b) => ((a as { legendrank?: number }).legendrank ?? 0) - ((b as { legendrank?: number }).legendrank ?? 0))
      .map((t) => t.name);
    assert.deepEqual(legend, [...new Set((trainingCurvesPayload().plot as TrainingCurvesPlot).curves.map((c) => c.arm))], 'legend in the payload order');
    assert.notEqual(armSymbol('no norm'), armSymbol('LayerNorm'));
    assert.notEqual(armSymbol('GroupNorm'), armSymbol('LayerNorm'));
  });

  test('training-curves: dash per split, divergence line, ✕ and label', () => {
    const fig = toFigure(trainingCurvesPayload(), lightTheme());
    const traces = scatter(fig.data);
    const dashes = new Set(traces.filter((t) => String(t.mode).startsWith('lines')).map((t) => `${t.legendgroup}:${t.line?.dash}`));
    assert.ok(dashes.has('BatchNorm:solid') && dashes.has('BatchNorm:dash'));
    const crosses = traces.filter((t) => t.name === 'no norm diverged');
    assert.equal(crosses.length, 2, 'a ✕ in each metric subplot');
    assert.deepEqual(crosses.map((t) => (t.x as number[])[0]), [812, 812]);
    assert.match(String(crosses[0]!.hovertemplate), /loss became NaN at step 812/);
    const lines = (fig.layout.shapes ?? []).filter((s) => s.type === 'line' && s.x0 === 812);
    assert.equal(lines.length, 2);
    assert.ok((fig.layout.annotations ?? []).some((a) => /no norm diverged at step 812/.test(String(a.text))));
    const axes = fig.layout as Axes;
    assert.match(String((axes.yaxis!.title as { text: string }).text), /cross-entropy loss \(nats\)/);
    assert.match(String((axes.yaxis2!.title as { text: string }).text), /accuracy \(%\)/);
  });

  test('sweep: log x axis with decade ticks, error bars, diverged lane with ✕ at lr ≥ 1 for no norm', () => {
    const fig = toFigure(sweepPayload(), lightTheme());
    const axes = fig.layout as Axes;
    assert.equal(axes.xaxis!.type, 'log');
    assert.equal(axes.xaxis!.dtick, 1);
    assert.equal(axes.yaxis!.type, 'linear');
    const traces = scatter(fig.data);
    const noNorm = traces.find((t) => t.legendgroup === 'no norm' && t.showlegend)!;
    assert.equal((noNorm.y as Array<number | null>).slice(6).every((v) => v === null), true, 'no mean where every seed diverged');
    assert.ok(noNorm.error_y && (noNorm.error_y as { array: number[] }).array.length === 9);
    const lane = traces.find((t) => t.name === 'no norm diverged')!;
    assert.deepEqual(lane.x, [1, 3, 10]);
    assert.equal(lane.yaxis, 'y2');
    assert.equal((lane.marker as { symbol: string }).symbol, 'x');
    assert.deepEqual(axes.yaxis2!.ticktext, ['diverged']);
    const band = toFigure(sweepPayload({ style: 'band' }), lightTheme());
    assert.equal(scatter(band.data).filter((t) => t.fill === 'tonexty').length, 2, 'a band per arm');
    const linear = clone(sweepPayload());
    (linear.plot as { x: { scale?: string } }).x.scale = 'linear';
    assert.equal((toFigure(linear, lightTheme()).layout as Axes).xaxis!.type, 'linear');
  });

  test('heatmap: diverging scale centred on 0 for signed values, rows top to bottom, one colour bar', () => {
    const fig = toFigure(heatmapPayload(), darkTheme());
    const coloraxis = (fig.layout as { coloraxis: { cmin: number; cmax: number; colorscale: Array<[number, string]> } }).coloraxis;
    assert.equal(coloraxis.cmin, -coloraxis.cmax);
    assert.equal(coloraxis.colorscale[2]![1], darkTheme().background, 'the neutral middle is the editor background');
    assert.equal((fig.layout as Axes).yaxis!.autorange, 'reversed');
    const positive = clone(heatmapPayload());
    const plot = positive.plot as { z: number[][] };
    plot.z = plot.z.map((row) => row.map((v) => Math.abs(v) + 0.1));
    assert.equal((toFigure(positive, lightTheme()).layout as { coloraxis: { colorscale: unknown } }).coloraxis.colorscale, 'Viridis');
  });

  test('distribution-comparison: violins and an explicit per-stage shared-axis flag', () => {
    const violin = toFigure(violinPayload(), lightTheme());
    assert.equal(scatter(violin.data).filter((t) => t.fill === 'toself').length, 8);
    const flagged = clone(distributionPayload());
    (flagged.plot as { shareAxis?: boolean[] }).shareAxis = [true, false];
    const axes = toFigure(flagged, lightTheme()).layout as Axes;
    assert.equal(axes.xaxis3!.matches, 'x', 'before column forced to share');
    assert.equal(axes.xaxis4!.matches, undefined, 'after column forced apart');
  });

  test('small multiples: a title per panel, shared y across panels, one legend entry per arm, notes under the plot', () => {
    const fig = toFigure(smallMultiplesPayload(), lightTheme(), { width: 860 });
    const texts = (fig.layout.annotations ?? []).map((a) => String(a.text));
    for (const batch of [8, 32, 128, 512]) assert.ok(texts.includes(`<b>batch ${batch}</b>`), texts.join('\n'));
    const axes = fig.layout as Axes;
    const valueAxes = ['yaxis3', 'yaxis5', 'yaxis7'].map((k) => axes[k]!.matches);
    assert.deepEqual(valueAxes, ['y', 'y', 'y']);
    assert.equal(scatter(fig.data).filter((t) => t.showlegend).length, 2);
    assert.ok(texts.some((t) => t.startsWith('Each panel: 3 seeds')), 'notes');
    assert.ok((fig.layout.margin?.b ?? 0) > 62, 'notes add to the bottom margin');
  });

  test('describePlot summarises every kind', () => {
    assert.match(describePlot(sweepPayload().plot), /^Plot: Test accuracy against learning rate.*log scale.*no norm:.*diverged at 1, 3, 10/);
    assert.match(describePlot(trainingCurvesPayload().plot), /no norm diverged: loss became NaN at step 812/);
    assert.match(describePlot(heatmapPayload().plot), /16 rows: channel 1, channel 2/);
    assert.match(describePlot(smallMultiplesPayload().plot), /4 panels in a grid of 2 by 2/);
    assert.match(describePlot(percentileBandsPayload().plot), /15th, 50th, 85th percentiles of sigmoid input/);
  });
});

describe('validatePayload: exact paths for every kind', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['percentile: unsorted percentiles', () => mutate(percentileBandsPayload(), (p) => (p.percentiles = [85, 50, 15])), 'plot.percentiles: percentiles must increase'],
    ['percentile: a short series', () => mutate(percentileBandsPayload(), (p) => p.arms[1].values[2].pop()), 'plot.arms[1].values[2]: expected 101 values (one per step), got 100'],
    ['percentile: missing y label', () => mutate(percentileBandsPayload(), (p) => delete p.y.label), 'plot.y.label: missing required field'],
    ['percentile: NaN as null', () => mutate(percentileBandsPayload(), (p) => (p.arms[0].values[1][7] = null)), 'plot.arms[0].values[1]: expected an array of numbers, but [7] is null'],
    ['percentile: divergence without reason', () => mutate(percentileBandsPayload(), (p) => (p.arms[0].diverged = { step: 3 })), 'plot.arms[0].diverged.reason: missing required field'],
    ['curves: unknown metric', () => mutate(trainingCurvesPayload(), (p) => (p.curves[3].metric = 'acc')), 'plot.curves[3].metric: unknown metric "acc" (metrics: loss, accuracy)'],
    ['curves: bad split', () => mutate(trainingCurvesPayload(), (p) => (p.curves[0].split = 'dev')), 'plot.curves[0].split: expected one of "train", "test", "validation", got the string "dev"'],
    ['curves: steps going back', () => mutate(trainingCurvesPayload(), (p) => (p.curves[2].steps[5] = 0)), 'plot.curves[2].steps: steps must increase, but [5] = 0'],
    ['curves: divergence without arm', () => mutate(trainingCurvesPayload(), (p) => delete p.divergences[0].arm), 'plot.divergences[0].arm: missing required field'],
    ['sweep: zero on a log axis', () => mutate(sweepPayload(), (p) => (p.arms[1].points[0].x = 0)), 'plot.arms[1].points[0].x: expected a value > 0 on a log axis'],
    ['sweep: bad scale', () => mutate(sweepPayload(), (p) => (p.x.scale = 'ln')), 'plot.x.scale: expected one of "linear", "log", got the string "ln"'],
    ['sweep: no values and nothing diverged', () => mutate(sweepPayload(), (p) => delete p.arms[0].points[8].diverged), 'plot.arms[0].points[8].values: expected at least one value'],
    ['sweep: fractional seed count', () => mutate(sweepPayload(), (p) => (p.arms[0].points[7].diverged = 1.5)), 'plot.arms[0].points[7].diverged: expected a whole number of seeds'],
    ['sweep: bad spread', () => mutate(sweepPayload(), (p) => (p.spread = 'iqr')), 'plot.spread: expected one of "std", "min-max", "none"'],
    ['heatmap: ragged z', () => mutate(heatmapPayload(), (p) => p.z[4].push(1)), 'plot.z[4]: expected 40 values (one per x value), got 41'],
    ['heatmap: missing row', () => mutate(heatmapPayload(), (p) => p.z.pop()), 'plot.z: expected 16 rows (one per y label), got 15'],
    ['heatmap: value axis not an object', () => mutate(heatmapPayload(), (p) => (p.value = 'mean')), 'plot.value: expected an object, got the string "mean"'],
    ['small multiples: nested', () => mutate(smallMultiplesPayload(), (p) => (p.panels[2] = clone(p))), 'plot.panels[2].kind: a small-multiples panel cannot itself be small multiples'],
    ['small multiples: a bad panel', () => mutate(smallMultiplesPayload(), (p) => (p.panels[3].arms[0].points[2].values[1] = 'x')), 'plot.panels[3].arms[0].points[2].values: expected an array of numbers, but [1] is the string "x"'],
    ['small multiples: unknown panel kind', () => mutate(smallMultiplesPayload(), (p) => (p.panels[1].kind = 'pie')), 'plot.panels[1].kind: unknown plot kind "pie"'],
    ['small multiples: zero columns', () => mutate(smallMultiplesPayload(), (p) => (p.columns = 0)), 'plot.columns: expected a whole number ≥ 1, got 0'],
    ['distribution: bad presentation', () => mutate(distributionPayload(), (p) => (p.presentation = 'box')), 'plot.presentation: expected one of "histogram", "violin"'],
    ['distribution: shareAxis too short', () => mutate(distributionPayload(), (p) => (p.shareAxis = [true])), 'plot.shareAxis: expected 2 flags (one per stage), got 1'],
    ['notes not a string', () => mutate(heatmapPayload(), (p) => (p.notes = 3)), 'plot.notes: expected a string, got the number 3'],
  ];
  for (const [name, make, expected] of cases) {
    test(name, () => {
      const result = validatePayload(make());
      assert.equal(result.ok, false, 'rejected');
      if (!result.ok) assert.ok(result.message.startsWith(expected), `got: ${result.message}\nwant: ${expected}…`);
    });
  }
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function mutate(payload: PlotPayload, change: (plot: any) => unknown): PlotPayload {
  const copy = clone(payload);
  change(copy.plot);
  return copy;
}

describe('log axes over less than two decades', () => {
  test('a sweep over batch sizes 2…32 is labelled at its own batch sizes', () => {
    const payload: PlotPayload = {
      version: 1,
      plot: {
        kind: 'sweep',
        title: 'Test accuracy against batch size',
        x: { label: 'batch size', scale: 'log' },
        y: { label: 'test accuracy', unit: '%' },
        spread: 'std',
        arms: [{ arm: 'BatchNorm', points: [2, 4, 8, 16, 32].map((x) => ({ x, values: [90, 91] })) }],
      },
    };
    const axis = (toFigure(payload, lightTheme()).layout as Record<string, Partial<LayoutAxis>>).xaxis!;
    assert.equal(axis.type, 'log');
    assert.deepEqual(axis.tickvals, [2, 4, 8, 16, 32]);
    assert.deepEqual(axis.ticktext, ['2', '4', '8', '16', '32']);
  });

  test('a sweep over learning rates spanning decades keeps ticks at powers of ten', () => {
    const axis = (toFigure(sweepPayload(), lightTheme()).layout as Record<string, Partial<LayoutAxis>>).xaxis!;
    assert.equal(axis.tickvals, undefined);
    assert.equal(axis.dtick, 1);
  });
});
