// Every plot kind in a real Chromium (the bundle under test, on the webview-like page of harness.ts):
// counts from the SVG and the `rendered` report, theme switches, one arm palette across kinds, legend
// groups, log axes, divergence marks and their hover text, zoom, errors with paths, 50 plots on a page.
import * as assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { PlotPayload } from '../../src/shared/payload';
import { traceCount } from '../../renderers/figure';
import { Harness, SCREENSHOTS, distributionPayload, launchBrowser, rendererDist, serve, type StaticServer } from './harness';
import {
  everyKind,
  heatmapPayload,
  percentileBandsPayload,
  smallMultiplesPayload,
  sweepPayload,
  trainingCurvesPayload,
  violinPayload,
} from './payloads';

let dist: { dir: string; source: string; temporary: boolean };
let server: StaticServer;
let browser: Browser;
let h: Harness;

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const LIGHT_BLUE = 'rgb(26, 133, 255)'; // --vscode-charts-blue, light: BatchNorm
const DARK_BLUE = 'rgb(55, 148, 255)'; // --vscode-charts-blue, dark

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

/** Subplots, x axes and y axes each kind draws for its fixture. */
const SHAPE: Record<string, { subplots: number; x: number; y: number; titles: RegExp[] }> = {
  'distribution-comparison': { subplots: 8, x: 8, y: 8, titles: [/^activation value/, /^count$/] },
  'distribution-violin': { subplots: 2, x: 2, y: 2, titles: [/^pre-activation$/] },
  'percentile-bands': { subplots: 2, x: 2, y: 2, titles: [/^training step$/, /^sigmoid input$/] },
  'training-curves': { subplots: 2, x: 2, y: 2, titles: [/^cross-entropy loss \(nats\)$/, /^accuracy \(%\)$/, /^training step$/] },
  sweep: { subplots: 2, x: 1, y: 2, titles: [/^learning rate$/, /^test accuracy \(%\)$/] },
  heatmap: { subplots: 1, x: 1, y: 1, titles: [/^training step$/, /^channel$/] },
  'small-multiples': { subplots: 8, x: 4, y: 8, titles: [/^learning rate$/, /^test accuracy \(%\)$/] },
};

describe('every plot kind in Chromium', () => {
  for (const theme of ['light', 'dark'] as const) {
    test(`${theme}: each kind draws the expected traces, subplots and axes, and reports them`, async (t) => {
      await h.setTheme(theme);
      t.after(() => h.setTheme('light'));
      for (const { name, payload } of everyKind()) {
        const id = `kind-${name}-${theme}`;
        await h.render(id, payload);
        const fig = await h.figure(id);
        const shape = SHAPE[name]!;
        const expected = traceCount(payload.plot);
        assert.equal(fig.svgTraces, expected, `${name}: SVG trace groups`);
        assert.equal(fig.subplots, shape.subplots, `${name}: subplots`);
        assert.equal(fig.xAxes, shape.x, `${name}: x axes`);
        assert.equal(fig.yAxes, shape.y, `${name}: y axes`);
        assert.equal(fig.title?.replace(/\s+/g, ''), payload.plot.title.replace(/\s+/g, ''), `${name}: title (lines wrapped)`);
        for (const title of shape.titles) assert.ok(fig.axisTitles.some((t) => title.test(t)), `${name}: axis title ${title} in ${JSON.stringify(fig.axisTitles)}`);
        const reports = (await h.messages()).filter((m) => m.outputId === id);
        assert.deepEqual(reports, [{ type: 'rendered', outputId: id, kind: payload.plot.kind, traces: expected }], name);
        const report = await h.ticks(id);
        assert.deepEqual(report.outside, [], `${name}: text outside the figure`);
        report.axes.forEach((axis, i) => assert.equal(axis.overlaps, 0, `${name}: x axis ${i + 1} tick labels overlap: ${JSON.stringify(axis.labels)}`));
        await h.page.locator(`#${id}`).screenshot({ path: join(SCREENSHOTS, `${name}-${theme}.png`) });
      }
      await h.dispose();
      await h.setTheme('light');
      assert.deepEqual(h.errors, []);
    });
  }

  test('a theme switch recolours arms, text and paper of a live plot', async () => {
    await h.render('theme', trainingCurvesPayload());
    const light = await h.figure('theme');
    assert.equal(light.legend.find((l) => l.text === 'BatchNorm')?.color, LIGHT_BLUE);
    const lightTitle = (await h.inspect('theme')).titleFill;
    await h.setTheme('dark');
    await h.waitFor('theme', (s) => s.titleFill !== lightTitle);
    const dark = await h.figure('theme');
    assert.equal(dark.legend.find((l) => l.text === 'BatchNorm')?.color, DARK_BLUE, 'BatchNorm recoloured');
    assert.equal((await h.inspect('theme')).paperFill, 'rgb(31, 31, 31)');
    assert.notEqual(dark.legend.find((l) => l.text === 'no norm')?.color, light.legend.find((l) => l.text === 'no norm')?.color);
    await h.setTheme('high-contrast');
    await h.waitFor('theme', (s) => s.titleFill === 'rgb(255, 255, 255)');
    await h.page.locator('#theme').screenshot({ path: join(SCREENSHOTS, 'training-curves-high-contrast.png') });
    await h.setTheme('light');
    await h.waitFor('theme', (s) => s.titleFill === lightTitle);
    await h.dispose('theme');
  });

  test('one arm palette: the same arm has the same colour in every kind (from the SVG legends)', async () => {
    const ids = { bands: percentileBandsPayload(), curves: trainingCurvesPayload(), sweep: sweepPayload(), grid: smallMultiplesPayload() };
    const colours: Record<string, Set<string>> = { 'no norm': new Set(), BatchNorm: new Set() };
    for (const [id, payload] of Object.entries(ids)) {
      await h.render(`pal-${id}`, payload);
      const legend = (await h.figure(`pal-${id}`)).legend;
      for (const arm of Object.keys(colours)) {
        const entry = legend.filter((l) => l.text === arm);
        assert.equal(entry.length, 1, `${id}: one legend entry for ${arm}: ${JSON.stringify(legend)}`);
        colours[arm]!.add(entry[0]!.color ?? '?');
      }
    }
    assert.deepEqual([...colours.BatchNorm!], [LIGHT_BLUE]);
    assert.equal(colours['no norm']!.size, 1, JSON.stringify([...colours['no norm']!]));
    assert.notEqual([...colours['no norm']!][0], LIGHT_BLUE);
    await h.dispose();
  });

  test('legend groups: clicking an arm hides it in every subplot, clicking again shows it', async () => {
    await h.render('legend', smallMultiplesPayload());
    const before = await h.figure('legend');
    const noNorm = before.fullData.filter((t) => t.legendgroup === 'no norm');
    assert.equal(noNorm.length, 8, 'a line and a ✕ lane in each of 4 panels');
    assert.equal(new Set(noNorm.map((t) => t.xaxis)).size, 4, 'spread over 4 subplots');
    await h.page.locator('#legend .legend').scrollIntoViewIfNeeded();
    const at = await h.legendItemCentre('legend', 'no norm');
    assert.ok(at, 'legend item');
    await h.page.mouse.click(at.x, at.y);
    // plotly waits out the double-click delay before acting on a single click
    let hidden = await h.figure('legend');
    for (let i = 0; i < 40 && hidden.svgTraces === before.svgTraces; i++) {
      await h.page.waitForTimeout(50);
      hidden = await h.figure('legend');
    }
    assert.deepEqual(
      hidden.fullData.filter((t) => t.legendgroup === 'no norm').map((t) => t.visible),
      new Array(8).fill('legendonly'),
    );
    assert.ok(hidden.fullData.filter((t) => t.legendgroup === 'BatchNorm').every((t) => t.visible === true));
    assert.equal(hidden.svgTraces, before.svgTraces - 8, 'hidden traces leave the SVG');
    assert.equal(hidden.legend.find((l) => l.text === 'no norm')?.opacity, '0.5', 'the legend entry greys out');
    await h.page.mouse.click(at.x, at.y);
    let shown = await h.figure('legend');
    for (let i = 0; i < 40 && shown.svgTraces !== before.svgTraces; i++) {
      await h.page.waitForTimeout(50);
      shown = await h.figure('legend');
    }
    assert.equal(shown.svgTraces, before.svgTraces);
    assert.equal(shown.legend.find((l) => l.text === 'no norm')?.opacity, '1');
    await h.dispose('legend');
  });

  test('sweep: log x axis over five decades with power tick labels; diverged lane with ✕ at lr ≥ 1', async () => {
    await h.render('sweep', sweepPayload());
    const fig = await h.figure('sweep');
    assert.equal(fig.axisTypes.xaxis, 'log');
    assert.equal(fig.axisTypes.yaxis, 'linear');
    const ticks = fig.xTickTexts.filter(Boolean);
    for (const label of ['10−3', '10−2', '10−1', '1', '10']) assert.ok(ticks.includes(label), `tick ${label} in ${JSON.stringify(ticks)}`);
    const lane = fig.fullData.find((t) => t.name === 'no norm diverged');
    assert.equal(lane?.symbol, 'x');
    assert.equal(lane?.points, 3);
    const centre = await h.pointCentre('sweep', lane!.uid);
    assert.ok(centre, 'the ✕ is drawn');
    await h.page.mouse.move(centre.x, centre.y);
    assert.match(await h.waitHover('sweep', /diverged/), /no norm.*3\/3 seeds diverged/);
    await h.page.mouse.move(0, 0);
  });

  test('zoom by dragging and reset by double-click', async () => {
    await h.page.locator('#sweep').scrollIntoViewIfNeeded();
    const before = (await h.figure('sweep')).ranges.xaxis!;
    const box = (await h.page.locator('#sweep .nsewdrag').first().boundingBox())!;
    await h.page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await h.page.mouse.down();
    await h.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 5 });
    await h.page.mouse.up();
    const zoomed = (await h.figure('sweep')).ranges.xaxis!;
    assert.ok(zoomed[0] > before[0] && zoomed[1] < before[1], `zoomed ${JSON.stringify(before)} → ${JSON.stringify(zoomed)}`);
    await h.page.mouse.dblclick(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const reset = (
      await h.poll(
        () => h.figure('sweep'),
        (f) => Math.abs(f.ranges.xaxis![0] - before[0]) < 1e-6,
      )
    ).ranges.xaxis!;
    assert.ok(Math.abs(reset[0] - before[0]) < 1e-6 && Math.abs(reset[1] - before[1]) < 1e-6, `reset to ${JSON.stringify(reset)}`);
    await h.dispose('sweep');
  });

  test('training curves: the divergence ✕ shows its reason on hover', async () => {
    await h.render('diverged', trainingCurvesPayload());
    const fig = await h.figure('diverged');
    const crosses = fig.fullData.filter((t) => t.name === 'no norm diverged');
    assert.equal(crosses.length, 2);
    assert.ok(fig.annotations.some((a) => /no norm diverged at step 812/.test(a)), JSON.stringify(fig.annotations));
    const centre = await h.pointCentre('diverged', crosses[0]!.uid);
    assert.ok(centre);
    await h.page.mouse.move(centre.x, centre.y);
    assert.match(await h.waitHover('diverged', /NaN/), /loss became NaN at step 812/);
    await h.page.mouse.move(0, 0);
    await h.dispose('diverged');
  });

  const malformed: Array<{ name: string; payload: PlotPayload; expect: RegExp }> = [
    { name: 'percentile-bands', payload: edit(percentileBandsPayload(), (p) => p.arms[1].values.pop()), expect: /^plot\.arms\[1\]\.values: expected 3 arrays \(one per percentile\), got 2$/ },
    { name: 'training-curves', payload: edit(trainingCurvesPayload(), (p) => (p.curves[5].values[2] = null)), expect: /^plot\.curves\[5\]\.values: expected an array of numbers, but \[2\] is null$/ },
    { name: 'sweep', payload: edit(sweepPayload(), (p) => (p.arms[0].points[0].x = -1)), expect: /^plot\.arms\[0\]\.points\[0\]\.x: expected a value > 0 on a log axis/ },
    { name: 'heatmap', payload: edit(heatmapPayload(), (p) => (p.yLabels[3] = 4)), expect: /^plot\.yLabels\[3\]: expected a string, got the number 4$/ },
    { name: 'small-multiples', payload: edit(smallMultiplesPayload(), (p) => delete p.panels[1].y), expect: /^plot\.panels\[1\]\.y: missing required field$/ },
    { name: 'violin', payload: edit(violinPayload(), (p) => (p.presentation = 'ridgeline')), expect: /^plot\.presentation: expected one of "histogram", "violin"/ },
  ];
  for (const c of malformed) {
    test(`malformed ${c.name} payload: error box naming the path, render-error report`, async () => {
      const id = `bad-${c.name}`;
      await h.render(id, c.payload);
      const state = await h.inspect(id);
      assert.equal(state.hasGraph, false);
      assert.match(state.errorMessage ?? '', c.expect);
      const reports = (await h.messages()).filter((m) => m.outputId === id);
      assert.deepEqual(reports.map((r) => [r.type, r.kind]), [['render-error', c.payload.plot.kind]]);
      assert.match(reports[0]!.message ?? '', c.expect);
      await h.dispose(id);
    });
  }

  test('50 plots on one page: near ones drawn at once, the rest as they scroll near, far ones purged; scrolling stays fluid', async (t) => {
    await h.dispose();
    const kinds = [distributionPayload(), percentileBandsPayload(), trainingCurvesPayload(), sweepPayload(), heatmapPayload()];
    const ids = Array.from({ length: 50 }, (_, i) => `many-${i}`);
    await h.takeLongTasks();
    const t0 = performance.now();
    // The first output scrolled into view (as a cell run by the reader), the rest wherever they fall.
    await Promise.all(ids.map((id, i) => h.render(id, kinds[i % kinds.length], { scroll: i === 0 })));
    const renderAll = performance.now() - t0;
    const drawnAtOnce = (await h.messages()).filter((m) => m.outputId.startsWith('many-') && m.type === 'rendered').length;
    t.diagnostic(`renderOutputItem × 50: ${renderAll.toFixed(0)} ms; drawn at once: ${drawnAtOnce}; live graphs ${await h.liveGraphs()}`);
    assert.ok(drawnAtOnce >= 1 && drawnAtOnce < 50, `only plots near the viewport draw at once (${drawnAtOnce})`);
    const far = await h.figure('many-49');
    assert.equal(far.drawn, false, 'the last plot is a placeholder');
    assert.ok(far.placeholderHeight > 300, `the placeholder keeps the plot's height (${far.placeholderHeight})`);

    // Scroll down like a reader, a screen at a time.
    let maxLive = 0;
    const scrollHeight = await h.scrollToY(0);
    const scrollStart = performance.now();
    for (let y = 0; y <= scrollHeight; y += 900) {
      await h.scrollToY(y);
      await h.page.waitForTimeout(60);
      maxLive = Math.max(maxLive, await h.liveGraphs());
    }
    await h.waitDrawn('many-49', 15_000);
    const scrolled = performance.now() - scrollStart;
    const longTasks = await h.takeLongTasks();
    const rendered = new Set((await h.messages()).filter((m) => m.outputId.startsWith('many-') && m.type === 'rendered').map((m) => m.outputId));
    t.diagnostic(
      `scrolled ${scrollHeight} px in ${scrolled.toFixed(0)} ms; most plots drawn at once: ${maxLive}; ` +
        `long tasks: ${longTasks.length}, longest ${Math.max(0, ...longTasks).toFixed(0)} ms`,
    );
    assert.equal(rendered.size, 50, 'every plot drew (and reported) once scrolled near');
    assert.ok(maxLive <= 30, `far plots are purged: at most ${maxLive} drawn at once`);
    assert.ok(Math.max(0, ...longTasks) < 1000, `no task blocks scrolling for a second: ${JSON.stringify(longTasks.map(Math.round))}`);
    await h.page.waitForTimeout(400);
    assert.equal((await h.figure('many-0')).drawn, false, 'the first plot, far above now, was purged');
    await h.scrollToY(0);
    await h.waitDrawn('many-0');
    const reports = (await h.messages()).filter((m) => m.outputId === 'many-0');
    assert.equal(reports.length, 1, 'a re-draw after a purge is not a new render');
    await h.dispose();
    assert.equal(await h.liveGraphs(), 0);
    assert.deepEqual(h.errors, []);
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function edit(payload: PlotPayload, change: (plot: any) => unknown): PlotPayload {
  const copy = clone(payload);
  change(copy.plot);
  return copy;
}
