// The notebook renderer in a real Chromium: the bundle from `npm run build` (dist/renderer.js and its plotly
// chunk) on a page that imitates a VS Code notebook webview. One browser and one page for the whole file.
import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { PlotPayload } from '../../src/shared/payload';
import {
  FEATURES,
  Harness,
  SCREENSHOTS,
  distributionPayload,
  launchBrowser,
  plotlyScript,
  rendererDist,
  serve,
  type StaticServer,
} from './harness';

const MIME = 'application/vnd.bnlab.plot+json';
const LIGHT_FOREGROUND = 'rgb(59, 59, 59)'; // #3b3b3b
const DARK_FOREGROUND = 'rgb(204, 204, 204)'; // #cccccc

let dist: { dir: string; source: string; temporary: boolean };
let server: StaticServer;
let browser: Browser;
let h: Harness;

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

before(async () => {
  dist = await rendererDist();
  [server, browser] = await Promise.all([serve(dist.dir), launchBrowser()]);
  h = await Harness.open(browser, server.url);
  await mkdir(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dist?.temporary) await rm(dist.dir, { recursive: true, force: true });
});

describe('notebook renderer in Chromium', () => {
  test('bundle: small entry, plotly in its own lazily loaded script', (t) => {
    t.diagnostic(`bundle under test: ${dist.source}`);
    const entry = statSync(join(dist.dir, 'renderer.js')).size;
    const plotly = plotlyScript(dist.dir);
    t.diagnostic(`renderer.js ${(entry / 1024).toFixed(1)} KiB, ${plotly.name} ${(plotly.bytes / 2 ** 20).toFixed(2)} MiB`);
    assert.ok(entry < 64 * 1024, `renderer.js is ${entry} bytes: plotly must not be bundled into the entry`);
    assert.ok(plotly.bytes > 1_000_000, `plotly.js is only ${plotly.bytes} bytes`);
  });

  test('draws the 4-feature payload as a 4 × 2 grid and reports 8 traces', async () => {
    await h.render('grid', distributionPayload());
    const state = await h.inspect('grid');
    assert.equal(state.hasGraph, true, 'a plotly graph div');
    assert.equal(state.barTraces, 8, 'one bar trace per cell');
    assert.equal(state.barPaths, 8 * 30, 'one bar per bin');
    assert.equal(state.subplots, 8, '8 subplots');
    assert.equal(state.xAxes, 8, 'an x axis per cell');
    assert.match(state.titleText ?? '', /BatchNorm1d: per-feature distributions/);
    for (const text of ['before BatchNorm', 'after BatchNorm', ...FEATURES.map((f) => f.label)]) {
      assert.ok(state.annotationTexts.includes(text), `annotation "${text}" in ${JSON.stringify(state.annotationTexts)}`);
    }
    assert.ok(state.xTitles.some((t) => t.startsWith('activation value')), `x titles: ${state.xTitles}`);
    assert.equal(state.svgWidth, 860, 'fills the output width');
    assert.ok(state.svgHeight > 600, `height ${state.svgHeight} grows with 4 rows`);

    const reports = (await h.messages()).filter((m) => m.outputId === 'grid');
    assert.deepEqual(reports, [{ type: 'rendered', outputId: 'grid', kind: 'distribution-comparison', traces: 8 }]);
    assert.deepEqual(h.errors, []);
  });

  test('mode bar: PNG download (toImage) and SVG download, no plotly logo', async () => {
    const state = await h.inspect('grid');
    assert.ok(state.modebarButtons.some((t) => /download plot as a png/i.test(t)), JSON.stringify(state.modebarButtons));
    assert.ok(state.modebarButtons.includes('Download plot as SVG'), JSON.stringify(state.modebarButtons));
    assert.equal(state.plotlyLogo, false);
  });

  test('the plot container is an image with a summarising aria-label', async () => {
    const state = await h.inspect('grid');
    assert.equal(state.role, 'img');
    assert.match(state.ariaLabel ?? '', /^Plot: BatchNorm1d: per-feature distributions/);
    assert.match(state.ariaLabel ?? '', /grid of 4 rows by 2 columns/);
    assert.match(state.ariaLabel ?? '', /feature 4 \(1e4 ± 10\): before BatchNorm: mean 1000\d/);
  });

  test('tick labels stay readable: no overlaps, nothing clipped, at 860 px and at 420 px', async () => {
    await h.render('ticks', distributionPayload({ seed: 7 }));
    for (const width of [860, 420]) {
      await h.setWidth('ticks', width);
      await h.waitFor('ticks', (s) => s.svgWidth === width);
      const report = await h.ticks('ticks');
      assert.equal(report.axes.length, 8);
      report.axes.forEach((axis, i) => {
        assert.ok(axis.labels.length >= 2, `axis ${i + 1} at ${width}px has labels ${JSON.stringify(axis.labels)}`);
        assert.equal(axis.overlaps, 0, `axis ${i + 1} at ${width}px: overlapping labels ${JSON.stringify(axis.labels)}`);
        assert.equal(axis.clipped, 0, `axis ${i + 1} at ${width}px: labels outside the figure`);
        assert.ok(axis.maxChars <= 7, `axis ${i + 1} at ${width}px: long labels ${JSON.stringify(axis.labels)}`);
      });
      assert.deepEqual(report.outside, [], `text outside the figure at ${width}px`);
      // the offset feature reads as plain numbers around 10,000, not "10k"
      assert.ok(report.axes[6]!.labels.some((l) => /^(9,99\d|10,0\d\d)$/.test(l)), JSON.stringify(report.axes[6]!.labels));
    }
    await h.page.locator('#ticks').screenshot({ path: join(SCREENSHOTS, 'distribution-comparison-narrow.png') });
    await h.dispose('ticks');
  });

  test('follows the editor width (ResizeObserver → Plotly.Plots.resize)', async () => {
    await h.render('resize', distributionPayload({ seed: 3 }));
    assert.equal((await h.inspect('resize')).svgWidth, 860);
    await h.setWidth('resize', 600);
    const state = await h.waitFor('resize', (s) => s.svgWidth === 600);
    assert.equal(state.svgWidth, 600);
    await h.dispose('resize');
  });

  test('a theme switch recolours the live plot without re-rendering', async () => {
    await h.page.locator('#grid').screenshot({ path: join(SCREENSHOTS, 'distribution-comparison-light.png') });
    const light = await h.inspect('grid');
    assert.equal(light.titleFill, LIGHT_FOREGROUND);
    assert.equal(light.tickFill, LIGHT_FOREGROUND);
    assert.equal(light.barFill, 'rgb(26, 133, 255)'); // --vscode-charts-blue (light)
    assert.equal(light.paperFill, 'rgb(255, 255, 255)');
    const reportsBefore = (await h.messages()).length;

    await h.setTheme('dark');
    const dark = await h.waitFor('grid', (s) => s.titleFill === DARK_FOREGROUND);
    assert.equal(dark.titleFill, DARK_FOREGROUND, 'title recoloured');
    assert.equal(dark.tickFill, DARK_FOREGROUND, 'tick labels recoloured');
    assert.equal(dark.barFill, 'rgb(55, 148, 255)'); // --vscode-charts-blue (dark)
    assert.equal(dark.paperFill, 'rgb(31, 31, 31)'); // --vscode-editor-background
    assert.equal(dark.barTraces, 8);
    assert.equal((await h.messages()).length, reportsBefore, 'recolouring is not a new render');
    await h.page.locator('#grid').screenshot({ path: join(SCREENSHOTS, 'distribution-comparison-dark.png') });

    await h.setTheme('high-contrast');
    const hc = await h.waitFor('grid', (s) => s.titleFill === 'rgb(255, 255, 255)');
    assert.equal(hc.titleFill, 'rgb(255, 255, 255)');
    assert.ok(hc.barStrokeWidth >= 1, `bars outlined in high contrast (stroke ${hc.barStrokeWidth})`);
    assert.equal(hc.meanLineWidth, 3, 'thicker mean lines in high contrast');
    assert.ok(light.meanLineWidth < 3);
    await h.page.locator('#grid').screenshot({ path: join(SCREENSHOTS, 'distribution-comparison-high-contrast.png') });

    await h.setTheme('light');
    const back = await h.waitFor('grid', (s) => s.titleFill === LIGHT_FOREGROUND);
    assert.equal(back.titleFill, LIGHT_FOREGROUND);
    assert.deepEqual(h.errors, []);
  });

  const malformed: Array<{ name: string; payload: unknown; raw?: boolean; expect: RegExp }> = [
    {
      name: 'version 2',
      payload: { ...distributionPayload(), version: 2 },
      expect: /^version: expected 1, got the number 2/,
    },
    {
      name: 'missing field',
      payload: (() => {
        const p: PlotPayload = clone(distributionPayload());
        delete (p.plot as { valueLabel?: string }).valueLabel;
        return p;
      })(),
      expect: /^plot\.valueLabel: missing required field$/,
    },
    {
      name: 'non-array counts',
      payload: (() => {
        const p = clone(distributionPayload());
        (p.plot.rows[2]!.distributions[0]!.histogram as { counts: unknown }).counts = { 0: 3 };
        return p;
      })(),
      expect: /^plot\.rows\[2\]\.distributions\[0\]\.histogram\.counts: expected an array of numbers/,
    },
    {
      name: 'invalid JSON (json() throws)',
      payload: '{"version": 1, "plot": {',
      raw: true,
      expect: /^the output is not valid JSON: /,
    },
    {
      name: 'unknown kind',
      payload: { version: 1, plot: { kind: 'scatter-3d' } },
      expect: /^plot\.kind: unknown plot kind "scatter-3d"/,
    },
  ];
  for (const [i, c] of malformed.entries()) {
    test(`malformed payload (${c.name}): readable error box and a render-error report`, async () => {
      const id = `bad-${i}`;
      await h.render(id, c.payload, { raw: c.raw });
      const state = await h.inspect(id);
      assert.equal(state.hasGraph, false, 'no plot');
      assert.match(state.errorMessage ?? '', c.expect);
      assert.match(state.errorText ?? '', /cannot show this plot/);
      assert.ok(state.errorText?.includes(MIME), `names the MIME type: ${state.errorText}`);
      const reports = (await h.messages()).filter((m) => m.outputId === id);
      assert.equal(reports.length, 1);
      assert.equal(reports[0]!.type, 'render-error');
      assert.match(reports[0]!.message ?? '', c.expect);
      if (i === 2) await h.page.locator(`#${id}`).screenshot({ path: join(SCREENSHOTS, 'render-error.png') });
      assert.deepEqual(h.errors, [], 'no uncaught exception');
    });
  }

  test('re-rendering an output replaces its error box or plot in place', async () => {
    await h.render('bad-0', distributionPayload());
    const fixed = await h.inspect('bad-0');
    assert.equal(fixed.errorText, null);
    assert.equal(fixed.barTraces, 8);
    const two = distributionPayload({ features: FEATURES.slice(0, 2) });
    await h.render('bad-0', two);
    const smaller = await h.inspect('bad-0');
    assert.equal(smaller.childCount, 1, 'still one graph');
    assert.equal(smaller.barTraces, 4);
    assert.ok(smaller.svgHeight < fixed.svgHeight, 'height follows the row count');
    const last = (await h.messages()).filter((m) => m.outputId === 'bad-0').at(-1);
    assert.deepEqual(last, { type: 'rendered', outputId: 'bad-0', kind: 'distribution-comparison', traces: 4 });
  });

  test('disposeOutputItem(id) purges that plot; disposeOutputItem() purges the rest', async () => {
    await Promise.all([h.render('d1', distributionPayload({ seed: 11 })), h.render('d2', distributionPayload({ seed: 12 }))]);
    await h.hold('d1');
    await h.hold('d2');
    assert.equal((await h.heldState('d1'))?.fullLayout, true, 'plotly state before disposal');

    await h.dispose('d1');
    const d1 = await h.inspect('d1');
    assert.equal(d1.childCount, 0, 'output element emptied');
    assert.deepEqual(await h.heldState('d1'), { connected: false, fullLayout: false, fullData: false, children: 0 });
    assert.equal((await h.inspect('d2')).barTraces, 8, 'other outputs untouched');

    await h.dispose();
    assert.equal((await h.inspect('d2')).childCount, 0);
    assert.equal((await h.inspect('grid')).childCount, 0);
    assert.equal((await h.heldState('d2'))?.fullLayout, false);

    // Observers are gone too: a theme change after disposal draws nothing and throws nothing.
    await h.setTheme('dark');
    await new Promise((r) => setTimeout(r, 100));
    await h.setTheme('light');
    assert.equal((await h.inspect('d2')).childCount, 0);
    assert.deepEqual(h.errors, []);
  });

  test('plotly is fetched once, however many outputs render', async () => {
    await Promise.all(['m1', 'm2', 'm3'].map((id, i) => h.render(id, distributionPayload({ seed: 100 + i }))));
    for (const id of ['m1', 'm2', 'm3']) assert.equal((await h.inspect(id)).barTraces, 8, id);
    const fetched = h.requests.filter((url) => url.endsWith('/plotly.js'));
    assert.equal(fetched.length, 1, `plotly.js requests: ${JSON.stringify(fetched)}`);
    assert.equal(h.requests.filter((url) => url.endsWith('/renderer.js')).length, 1);
    await h.dispose();
  });
});
