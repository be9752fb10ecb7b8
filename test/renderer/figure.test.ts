// The renderer's pure parts, in node: payload validation, the payload → plotly figure mapping,
// number formatting and colours. (The browser side is in renderer.test.ts.)
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BarData, LayoutAxis, Shape } from 'plotly.js-dist';
import type { DistributionComparisonPlot } from '../../src/shared/payload';
import { buildFigure, describePlot, exponentFormat, traceCount, wrapText } from '../../renderers/figure';
import { formatNumber } from '../../renderers/format';
import { FALLBACK_THEMES, isTransparent, normalizeColor } from '../../renderers/palette';
import { validatePayload } from '../../renderers/validate';
import { FEATURES, distributionPayload, type DistributionPayload } from './harness';

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const light = FALLBACK_THEMES.light;

function plotWithRows(n: number): DistributionComparisonPlot {
  const features = Array.from({ length: n }, (_, i) => ({ ...FEATURES[i % FEATURES.length]!, label: `feature ${i + 1}` }));
  return distributionPayload({ features }).plot;
}

function axes(layout: object): Record<string, Partial<LayoutAxis>> {
  return layout as Record<string, Partial<LayoutAxis>>;
}

describe('validatePayload', () => {
  test('accepts the 4-feature distribution-comparison payload', () => {
    const result = validatePayload(distributionPayload());
    assert.equal(result.ok, true, JSON.stringify(result));
  });

  const cases: Array<[string, (p: DistributionPayload) => unknown, string]> = [
    ['not an object', () => 'hello', '(payload): expected an object, got the string "hello"'],
    ['wrong version', (p) => ({ ...p, version: 2 }), 'version: expected 1, got the number 2'],
    ['missing version', (p) => ({ plot: p.plot }), 'version: missing required field'],
    ['unknown kind', (p) => ({ ...p, plot: { ...p.plot, kind: 'scatter-3d' } }), 'plot.kind: unknown plot kind "scatter-3d"'],
    [
      'missing moments',
      (p) => {
        delete (p.plot.rows[1]!.distributions[0] as { moments?: unknown }).moments;
        return p;
      },
      'plot.rows[1].distributions[0].moments: missing required field',
    ],
    [
      'non-array counts',
      (p) => {
        (p.plot.rows[2]!.distributions[0]!.histogram as { counts: unknown }).counts = '1,2,3';
        return p;
      },
      'plot.rows[2].distributions[0].histogram.counts: expected an array of numbers, got the string "1,2,3"',
    ],
    [
      'a string among the counts',
      (p) => {
        (p.plot.rows[0]!.distributions[1]!.histogram.counts as unknown[])[4] = 'x';
        return p;
      },
      'plot.rows[0].distributions[1].histogram.counts: expected an array of numbers, but [4] is the string "x"',
    ],
    [
      'counts of the wrong length',
      (p) => {
        p.plot.rows[3]!.distributions[1]!.histogram.counts.pop();
        return p;
      },
      'plot.rows[3].distributions[1].histogram.counts: expected 30 counts (one per bin between 31 edges), got 29',
    ],
    [
      'decreasing edges',
      (p) => {
        p.plot.rows[0]!.distributions[0]!.histogram.edges.reverse();
        return p;
      },
      'plot.rows[0].distributions[0].histogram.edges: bin edges must not decrease',
    ],
    [
      'null mean (NaN written as JSON)',
      (p) => {
        (p.plot.rows[0]!.distributions[0]!.moments as { mean: unknown }).mean = null;
        return p;
      },
      'plot.rows[0].distributions[0].moments.mean: expected a finite number, got null',
    ],
    [
      'fewer distributions than stages',
      (p) => {
        p.plot.rows[1]!.distributions.pop();
        return p;
      },
      'plot.rows[1].distributions: expected 2 distributions (one per stage), got 1',
    ],
    ['non-string title', (p) => ({ ...p, plot: { ...p.plot, title: 7 } }), 'plot.title: expected a string, got the number 7'],
    ['no rows', (p) => ({ ...p, plot: { ...p.plot, rows: [] } }), 'plot.rows: expected at least one row'],
  ];
  for (const [name, mutate, expected] of cases) {
    test(`names the first problem: ${name}`, () => {
      const result = validatePayload(mutate(clone(distributionPayload())));
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.message.startsWith(expected), `got: ${result.message}\nwant: ${expected}…`);
    });
  }
});

describe('buildFigure (distribution-comparison)', () => {
  const plot = distributionPayload().plot;
  const figure = buildFigure(plot, light, { uirevision: 3 });
  const layout = axes(figure.layout);

  test('one bar trace per cell: 4 rows × 2 stages, bars at bin centres with bin widths', () => {
    assert.equal(figure.data.length, 8);
    assert.equal(traceCount(plot), 8);
    const first = figure.data[0] as Partial<BarData>;
    const h = plot.rows[0]!.distributions[0]!.histogram;
    assert.equal(first.type, 'bar');
    assert.deepEqual(first.y, h.counts);
    assert.equal((first.x as number[]).length, 30);
    assert.ok(Math.abs((first.x as number[])[0]! - (h.edges[0]! + h.edges[1]!) / 2) < 1e-9);
    assert.ok(Math.abs((first.width as number[])[0]! - (h.edges[1]! - h.edges[0]!)) < 1e-9);
    // cells are laid out row by row: trace k sits on axes x{k}/y{k}
    assert.deepEqual(
      figure.data.map((d) => [(d as Partial<BarData>).xaxis, (d as Partial<BarData>).yaxis]),
      [1, 2, 3, 4, 5, 6, 7, 8].map((k) => (k === 1 ? ['x', 'y'] : [`x${k}`, `y${k}`])),
    );
  });

  test('hover text shows the bin range, the count, mean and std', () => {
    const bar = figure.data[6] as Partial<BarData>; // feature 4, before
    const hover = (bar.hovertext as string[])[0]!;
    assert.match(hover, /feature 4/);
    assert.match(hover, /bin \[99\d\d(\.\d+)?, 99\d\d(\.\d+)?\)/);
    assert.match(hover, /count \d+/);
    assert.match(hover, /mean 1000\d(\.\d+)? · std 4\.\d+/);
    assert.match((bar.hovertext as string[])[29]!, /\]<br>/, 'the last bin is closed');
  });

  test('the after column shares its x axis; before cells keep their own ranges', () => {
    for (const k of [4, 6, 8]) assert.equal(layout[`xaxis${k}`]!.matches, 'x2', `xaxis${k}`);
    assert.equal(layout.xaxis2!.matches, undefined);
    const before = [layout.xaxis!, layout.xaxis3!, layout.xaxis5!, layout.xaxis7!];
    for (const axis of before) assert.equal(axis.matches, undefined);
    const ranges = before.map((a) => a.range as [number, number]);
    // ±1000, ±1, ±0.001, 1e4 ± 10: each range fits its own feature
    assert.ok(ranges[0]![0] < -900 && ranges[0]![1] > 900);
    assert.ok(ranges[1]![1] - ranges[1]![0] < 3);
    assert.ok(ranges[2]![1] - ranges[2]![0] < 0.003);
    assert.ok(ranges[3]![0] > 9980 && ranges[3]![1] < 10020);
  });

  test('tick labels: plain digits for ±1000 and the 1e4 offset, SI prefixes for ±0.001', () => {
    assert.equal(layout.xaxis!.exponentformat, 'none');
    assert.equal(layout.xaxis7!.exponentformat, 'none');
    assert.equal(layout.xaxis5!.exponentformat, 'SI');
    assert.equal(exponentFormat([-0.001, 0.001]), 'SI');
    assert.equal(exponentFormat([9990, 10010]), 'none');
    assert.equal(exponentFormat([0, 3e7]), 'SI');
  });

  test('mean line and ±1 std band in every cell, drawn in the cell’s axes', () => {
    const shapes = figure.layout.shapes as Partial<Shape>[];
    plot.rows.forEach((row, r) =>
      row.distributions.forEach((d, s) => {
        const k = r * 2 + s + 1;
        const xref = k === 1 ? 'x' : `x${k}`;
        const mine = shapes.filter((sh) => sh.xref === xref);
        const mean = mine.find((sh) => sh.type === 'line' && sh.x0 === d.moments.mean && sh.line?.dash === undefined);
        const band = mine.find((sh) => sh.type === 'rect');
        assert.ok(mean, `mean line in cell ${k}`);
        assert.equal(mean.yref, `${k === 1 ? 'y' : `y${k}`} domain`);
        assert.ok(band, `std band in cell ${k}`);
        assert.ok(Math.abs((band.x0 as number) - (d.moments.mean - d.moments.std)) < 1e-12);
        assert.ok(Math.abs((band.x1 as number) - (d.moments.mean + d.moments.std)) < 1e-12);
      }),
    );
  });

  test('title, column titles, row labels and the value axis label', () => {
    const title = figure.layout.title as { text: string };
    assert.match(title.text, /BatchNorm1d: per-feature distributions/);
    const texts = (figure.layout.annotations ?? []).map((a) => a.text);
    for (const stage of plot.stages) assert.ok(texts.includes(`<b>${stage}</b>`), stage);
    for (const row of plot.rows) assert.ok(texts.includes(`<b>${row.label}</b>`), row.label);
    assert.match(String((layout.xaxis7!.title as { text: string }).text), /^activation value/);
    assert.match(String((layout.xaxis8!.title as { text: string }).text), /^activation value/);
    assert.equal(layout.xaxis!.title, undefined, 'value label only under the bottom row');
    assert.equal(figure.layout.uirevision, 3);
  });

  test('a blank title still gets a title', () => {
    const untitled = buildFigure({ ...plot, title: '  ' }, light);
    assert.match((untitled.layout.title as { text: string }).text, /Distribution comparison/);
  });

  test('labels are escaped for plotly’s pseudo-HTML', () => {
    const tricky = clone(plot);
    tricky.rows[0]!.label = 'x < y & <b>z</b>';
    const texts = (buildFigure(tricky, light).layout.annotations ?? []).map((a) => a.text);
    assert.ok(texts.includes('<b>x &lt; y &amp; &lt;b&gt;z&lt;/b&gt;</b>'), texts.join('\n'));
  });

  test('height grows with the row count', () => {
    const heights = [1, 2, 4, 8].map((n) => buildFigure(plotWithRows(n), light).layout.height!);
    for (let i = 1; i < heights.length; i++) assert.ok(heights[i]! > heights[i - 1]!, heights.join(' < '));
    assert.equal(heights[3]! - heights[2]!, 2 * (heights[2]! - heights[1]!), 'linear in the rows');
  });

  test('every cell of an 8-row grid gets its own domain, without overlaps', () => {
    const big = axes(buildFigure(plotWithRows(8), light).layout);
    const domains = Array.from({ length: 8 }, (_, r) => big[r === 0 ? 'yaxis' : `yaxis${r * 2 + 1}`]!.domain as [number, number]);
    for (let r = 1; r < 8; r++) assert.ok(domains[r]![1] < domains[r - 1]![0], `row ${r} is below row ${r - 1}`);
    assert.ok(domains[7]![0] >= 0 && domains[0]![1] <= 1);
  });

  test('is pure data: JSON round-trips unchanged', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(figure)), figure);
  });

  test('colours come from the theme; high contrast thickens lines and outlines bars', () => {
    const dark = buildFigure(plot, FALLBACK_THEMES.dark);
    assert.equal((dark.data[0] as Partial<BarData>).marker?.color, FALLBACK_THEMES.dark.series[0]);
    assert.equal(dark.layout.font?.color, FALLBACK_THEMES.dark.foreground);
    assert.equal(dark.layout.paper_bgcolor, FALLBACK_THEMES.dark.background);
    const hc = buildFigure(plot, FALLBACK_THEMES['high-contrast']);
    const line = (hc.data[0] as Partial<BarData>).marker?.line;
    assert.equal(line?.width, 1);
    assert.equal(line?.color, FALLBACK_THEMES['high-contrast'].contrastBorder);
    const meanWidths = (hc.layout.shapes ?? []).filter((s) => s.type === 'line').map((s) => s.line?.width ?? 0);
    assert.equal(Math.max(...meanWidths), 3);
    const transparent = buildFigure(plot, { ...light, background: 'rgba(0,0,0,0)' });
    assert.equal(transparent.layout.paper_bgcolor, 'rgba(0,0,0,0)');
  });

  test('a known width wraps long titles and thins out ticks on narrow cells', () => {
    const wide = buildFigure(plot, light, { width: 860 });
    const narrow = buildFigure(plot, light, { width: 420 });
    assert.equal((wide.layout.title as { text: string }).text.split('<br>').length, 1);
    assert.ok((narrow.layout.title as { text: string }).text.split('<br>').length >= 2);
    assert.ok(narrow.layout.height! > wide.layout.height!, 'wrapped title lines add height');
    assert.ok(axes(narrow.layout).xaxis!.nticks! < axes(wide.layout).xaxis!.nticks!);
  });

  test('describePlot summarises title, grid and per-cell moments', () => {
    const text = describePlot(plot);
    assert.match(text, /grid of 4 rows by 2 columns \(before BatchNorm, after BatchNorm\)/);
    assert.match(text, /feature 3 \(±0\.001\): before BatchNorm: mean [−\d.e]+, std 3\.\d+e−4; after BatchNorm: mean 0, std 1\./);
  });
});

describe('helpers', () => {
  test('formatNumber keeps the digits the resolution asks for, exponents for tiny values', () => {
    assert.equal(formatNumber(10000.314, 0.05), '10000.31');
    assert.equal(formatNumber(-412.7, 5), '−413');
    assert.equal(formatNumber(1e-17, 0.01), '0');
    assert.equal(formatNumber(-0.000934, 0.00001), '−9.3e−4');
    assert.equal(formatNumber(0.3783), '0.3783');
    assert.equal(formatNumber(2.5e7, 1000), '2.5e7');
    assert.equal(formatNumber(0), '0');
  });

  test('normalizeColor turns VS Code’s #rrggbbaa into rgba()', () => {
    assert.equal(normalizeColor('#80808059'), 'rgba(128,128,128,0.349)');
    assert.equal(normalizeColor('#ABC'), '#aabbcc');
    assert.equal(normalizeColor(' rgb(1, 2, 3) '), 'rgb(1, 2, 3)');
    assert.equal(normalizeColor(''), undefined);
    assert.ok(isTransparent('rgba(0, 0, 0, 0)'));
    assert.ok(!isTransparent('#ffffff'));
  });

  test('wrapText balances lines and never loses words', () => {
    const title = 'BatchNorm1d: per-feature distributions before and after normalization (batch 256)';
    const lines = wrapText(title, 40);
    assert.equal(lines.join(' '), title);
    assert.ok(lines.every((l) => l.length <= 40));
    assert.ok(Math.min(...lines.map((l) => l.length)) > 20, `balanced: ${JSON.stringify(lines)}`);
    assert.deepEqual(wrapText('short', 40), ['short']);
  });

  test('the payload fixture is what the brief describes: 4 features, batch 256, 30 bins', () => {
    const payload: DistributionPayload = distributionPayload();
    assert.equal(payload.plot.rows.length, 4);
    for (const row of payload.plot.rows) {
      for (const d of row.distributions) {
        assert.equal(d.moments.count, 256);
        assert.equal(d.histogram.counts.length, 30);
        assert.equal(d.histogram.counts.reduce((a, b) => a + b, 0), 256);
      }
      const after = row.distributions[1]!.moments;
      assert.ok(Math.abs(after.mean) < 1e-9 && Math.abs(after.std - 1) < 1e-9);
    }
  });
});
