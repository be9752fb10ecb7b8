// A live lab in a real Chromium: updates of an output drawn in place (zoom and hidden legend entries kept),
// the live badge, the previous result as an overlay, and the knob row (KnobChange on commit, DriveKnob).
import * as assert from 'node:assert/strict';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { KnobChange, PlotPayload } from '../../src/shared/payload';
import { KEYBOARD_SETTLE_MS, sliderScale } from '../../renderers/knob-scale';
import { Harness, ROOT, SCREENSHOTS, distributionPayload, launchBrowser, rendererDist, serve, type LiveReport, type StaticServer } from './harness';
import { everyKnob, livePayload, runningCurves } from './live-payloads';
import { heatmapPlot, trainingCurvesPlot } from './payloads';

let dist: { dir: string; source: string; temporary: boolean };
let server: StaticServer;
let browser: Browser;
let h: Harness;

before(async () => {
  dist = await rendererDist();
  [server, browser] = await Promise.all([serve(dist.dir), launchBrowser()]);
  h = await Harness.open(browser, server.url);
  // plotly's page-wide hints ("Double-click to zoom back out") would cover the badge in the screenshots.
  await h.page.addStyleTag({ content: '.plotly-notifier { display: none !important; }' });
  await mkdir(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dist?.temporary) await rm(dist.dir, { recursive: true, force: true });
});

const knobMessages = async (outputId?: string): Promise<KnobChange[]> =>
  ((await h.messages()) as unknown as Array<{ type: string; outputId: string }>).filter(
    (m): m is KnobChange => m.type === 'knob' && (outputId === undefined || m.outputId === outputId),
  );

const pointsOf = (report: LiveReport, group: string): number => report.traces.filter((t) => t.legendgroup === group).reduce((n, t) => n + t.points, 0);

/** Drags a zoom box over the middle of the first subplot of output `id`. */
async function zoomFirstSubplot(id: string): Promise<void> {
  const box = (await h.page.locator(`#${id} .nsewdrag`).first().boundingBox())!;
  await h.page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
  await h.page.mouse.down();
  await h.page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.7, { steps: 5 });
  await h.page.mouse.up();
}

/** Clicks the legend entry `text` of output `id` and waits until plotly acted on it (after its double-click delay). */
async function clickLegend(id: string, text: string, hidden: boolean): Promise<void> {
  await h.page.mouse.move(0, 0); // no hover label (it is a legend too)
  await h.page.locator(`#${id} .legend`).first().scrollIntoViewIfNeeded();
  const at = await h.legendItemCentre(id, text);
  assert.ok(at, `legend entry ${text}`);
  await h.page.mouse.click(at.x, at.y);
  await h.poll(
    () => h.live(id),
    (r) => r.traces.filter((t) => t.legendgroup === text).every((t) => (t.visible === 'legendonly') === hidden),
  );
}

describe('live updates in Chromium', () => {
  test('an update keeps the zoom and the hidden legend entries, and draws the new data into the same graph', async () => {
    await h.render('grow', runningCurves(1000));
    await h.markGraph('grow', 'first');
    const first = await h.live('grow');
    await zoomFirstSubplot('grow');
    const zoomed = await h.poll(
      () => h.live('grow'),
      (r) => r.ranges.xaxis![1] < first.ranges.xaxis![1],
    );
    assert.ok(zoomed.ranges.xaxis![0] > first.ranges.xaxis![0] && zoomed.ranges.xaxis![1] < first.ranges.xaxis![1], 'zoomed in x');
    assert.notDeepEqual(zoomed.ranges.yaxis, first.ranges.yaxis, 'zoomed in y');
    await clickLegend('grow', 'LayerNorm', true);

    for (const step of [1500, 2200, 3000]) {
      await h.render('grow', runningCurves(step));
      const now = await h.live('grow');
      assert.equal(now.graphToken, 'first', 'the same graph div: Plotly.react, not a new plot');
      assert.deepEqual(now.ranges.xaxis, zoomed.ranges.xaxis, `x zoom kept at step ${step}`);
      assert.deepEqual(now.ranges.yaxis, zoomed.ranges.yaxis, `y zoom kept at step ${step}`);
      assert.ok(now.traces.filter((t) => t.legendgroup === 'LayerNorm').every((t) => t.visible === 'legendonly'), `LayerNorm still hidden at step ${step}`);
      assert.ok(now.traces.filter((t) => t.legendgroup === 'BatchNorm').every((t) => t.visible === true));
    }
    const last = await h.live('grow');
    assert.ok(pointsOf(last, 'BatchNorm') > pointsOf(first, 'BatchNorm') * 2, `the data grew: ${pointsOf(first, 'BatchNorm')} → ${pointsOf(last, 'BatchNorm')} points`);

    // The final result (no `live`): the badge goes, the zoom and the hidden arm stay; a double-click still resets.
    await h.render('grow', livePayload(trainingCurvesPlot()));
    const final = await h.live('grow');
    assert.equal(final.graphToken, 'first');
    assert.equal(final.badge, null);
    assert.deepEqual(final.ranges.xaxis, zoomed.ranges.xaxis);
    assert.ok(final.traces.filter((t) => t.legendgroup === 'LayerNorm').every((t) => t.visible === 'legendonly'));
    await clickLegend('grow', 'LayerNorm', false);
    await h.render('grow', livePayload(trainingCurvesPlot({ seed: 9 })));
    assert.ok((await h.live('grow')).traces.filter((t) => t.legendgroup === 'LayerNorm').every((t) => t.visible === true), 'shown again stays shown');
    assert.deepEqual(h.errors, []);
    await h.dispose('grow');
  });

  test('a live x axis grows in rounded steps, not on every update', async () => {
    const steps = Array.from({ length: 21 }, (_, i) => 1000 + 100 * i);
    const ends: number[] = [];
    for (const step of steps) {
      await h.render('steps', runningCurves(step));
      ends.push((await h.live('steps')).ranges.xaxis![1]);
    }
    assert.ok(
      ends.every((end, i) => end >= steps[i]! && end <= steps[i]! * 1.25),
      `every point inside, at most a fifth of the axis empty: ${ends}`,
    );
    assert.ok(new Set(ends).size <= 6, `21 updates, at most 6 different axis ends: ${[...new Set(ends)]}`);
    await h.dispose('steps');
  });

  test('zoom survives an update of a plot whose ranges the payload fixes (histograms)', async () => {
    await h.render('hist', distributionPayload({ seed: 1 }));
    await zoomFirstSubplot('hist');
    const zoomed = await h.poll(
      () => h.live('hist'),
      (r) => r.ranges.xaxis![1] - r.ranges.xaxis![0] < 1500,
    );
    await h.render('hist', distributionPayload({ seed: 2 }));
    const updated = await h.live('hist');
    assert.deepEqual(updated.ranges.xaxis, zoomed.ranges.xaxis);
    await h.dispose('hist');
  });

  test('the live badge: running with its label, interrupted clearly marked, in theme colours', async () => {
    await h.page.mouse.move(0, 0); // no mode bar over the figure
    await h.render('badge', runningCurves(800, 'BatchNorm, seed 2'));
    const running = await h.live('badge');
    assert.equal(running.badge?.text, 'running…  BatchNorm, seed 2');
    assert.equal(running.badge?.stroke, 'rgb(0, 95, 184)', '--vscode-progressBar-background');
    assert.match(running.ariaLabel ?? '', /^Still running: running… {2}BatchNorm, seed 2\. Plot: /);
    await h.page.locator('#badge').screenshot({ path: join(SCREENSHOTS, 'live-running.png') });

    await h.render('badge', livePayload(runningCurves(800).plot, { state: 'interrupted' }));
    const interrupted = await h.live('badge');
    assert.equal(interrupted.badge?.text, 'interrupted: partial result');
    assert.equal(interrupted.badge?.stroke, 'rgb(191, 136, 3)', '--vscode-editorWarning-foreground');
    assert.ok(interrupted.badge!.strokeWidth > running.badge!.strokeWidth, 'a stronger border than running');
    assert.match(interrupted.ariaLabel ?? '', /^Interrupted: interrupted: partial result\./);
    await h.page.locator('#badge').screenshot({ path: join(SCREENSHOTS, 'live-interrupted.png') });

    await h.setTheme('dark');
    const dark = await h.poll(
      () => h.live('badge'),
      (r) => r.badge?.stroke === 'rgb(204, 167, 0)',
    );
    assert.equal(dark.badge?.stroke, 'rgb(204, 167, 0)', 'the dark theme warning colour');
    await h.setTheme('light');
    await h.dispose('badge');
  });

  test('the overlay shows the previous result: faint, out of the legend, silent on hover, toggled with its arm', async () => {
    const previous = trainingCurvesPlot({ seed: 5 });
    await h.page.mouse.move(0, 0);
    await h.render('overlay', livePayload(runningCurves(900).plot, { state: 'running' }, { previous }));
    const shown = await h.live('overlay');
    const faint = shown.traces.filter((t) => t.name.startsWith('previous: '));
    const current = shown.traces.filter((t) => !t.name.startsWith('previous: '));
    assert.ok(faint.length >= previous.curves.length, `${faint.length} previous traces`);
    for (const t of faint) {
      assert.equal(t.opacity, 0.25, t.name);
      assert.equal(t.showlegend, false, t.name);
      assert.equal(t.hoverinfo, 'skip', t.name);
    }
    assert.ok(current.every((t) => t.opacity === 1), 'the current result at full strength');
    assert.deepEqual(shown.legend, ['no norm', 'BatchNorm', 'LayerNorm'], 'one legend entry per arm, none for the previous result');
    assert.ok(shown.ranges.xaxis![1] >= 3000, `the x axis holds the previous (full) run: ${shown.ranges.xaxis}`);
    await h.page.locator('#overlay').screenshot({ path: join(SCREENSHOTS, 'live-overlay.png') });

    await clickLegend('overlay', 'BatchNorm', true);
    const hidden = await h.live('overlay');
    assert.ok(hidden.traces.filter((t) => t.legendgroup === 'BatchNorm' && t.name.startsWith('previous: ')).every((t) => t.visible === 'legendonly'));

    await h.render('overlay', livePayload(trainingCurvesPlot()));
    const landed = await h.live('overlay');
    assert.equal(landed.traces.filter((t) => t.name.startsWith('previous: ')).length, 0, 'the new result replaces the overlay');
    assert.ok(landed.traces.filter((t) => t.legendgroup === 'BatchNorm').every((t) => t.visible === 'legendonly'));
    await h.dispose('overlay');
  });

  test('a previous histogram is an outline; a previous heatmap fades the figure instead', async () => {
    await h.render('prev-hist', livePayload(distributionPayload({ seed: 3 }).plot, undefined, { previous: distributionPayload({ seed: 4 }).plot }));
    const hist = await h.live('prev-hist');
    const outlines = hist.traces.filter((t) => t.name.startsWith('previous: '));
    assert.equal(outlines.length, 8, 'one outline per cell');
    assert.ok(outlines.every((t) => t.type === 'scatter' && t.opacity === 0.6 && t.hoverinfo === 'skip'));
    assert.equal(hist.traces.filter((t) => t.type === 'bar').length, 8);

    await h.render('prev-heat', livePayload(heatmapPlot(), { state: 'running' }, { previous: heatmapPlot({ seed: 8 }) }));
    const heat = await h.live('prev-heat');
    assert.equal(heat.traces.length, 1, 'no second heatmap');
    assert.equal(heat.traces[0]!.opacity, 0.45, 'the whole figure faded');
    await h.dispose('prev-hist');
    await h.dispose('prev-heat');
  });
});

describe('knobs in Chromium', () => {
  const payload = (values: Parameters<typeof everyKnob>[0] = {}, extra: Partial<PlotPayload> = {}): PlotPayload =>
    livePayload(distributionPayload().plot, undefined, { knobs: everyKnob(values), ...extra });

  test('the row is drawn from the payload: labelled, described, themed, above the plot', async () => {
    await h.render('knobs', payload());
    const row = (await h.knobs('knobs'))!;
    assert.equal(row.role, 'group');
    assert.deepEqual(
      row.knobs.map((k) => [k.key, k.kind]),
      [
        ['eps', 'number'],
        ['batch', 'integer'],
        ['norm', 'choice'],
        ['affine', 'boolean'],
        ['ranges', 'ranges'],
      ],
    );
    for (const knob of row.knobs) {
      assert.equal(knob.label, knob.key);
      assert.ok(knob.labelled, `${knob.key}: the label names its control`);
      assert.ok(knob.title.length > 5, `${knob.key}: the description as tooltip`);
    }
    const eps = row.knobs[0]!;
    const epsScale = sliderScale(everyKnob()[0] as never);
    assert.equal(eps.controls[0]!.type, 'range');
    assert.equal(eps.controls[0]!.value, String(epsScale.toPosition(1e-5)));
    assert.equal(eps.controls[0]!.ariaValueText, '0.00001');
    assert.equal(eps.controls[1]!.value, '0.00001');
    assert.equal(eps.controls[1]!.ariaLabel, 'eps value');
    assert.equal(eps.controls[1]!.background, 'rgb(255, 255, 255)', '--vscode-input-background');
    assert.equal(row.knobs[1]!.controls[0]!.max, String(256 - 2), 'an integer slider: one position per value');
    assert.equal(row.knobs[2]!.controls[0]!.value, 'BatchNorm');
    assert.equal(row.knobs[3]!.controls[0]!.value, 'true');
    assert.deepEqual(
      row.knobs[4]!.controls.map((c) => c.value),
      ['-1', '1', '0', '1000'],
    );
    assert.deepEqual((await h.live('knobs')).children, ['bnlab-knobs', 'bnlab-plot js-plotly-plot']);
    await h.page.locator('#knobs').screenshot({ path: join(SCREENSHOTS, 'knobs-light.png') });
    await h.setTheme('dark');
    const dark = await h.poll(
      () => h.knobs('knobs'),
      (r) => r?.knobs[0]!.controls[1]!.background === 'rgb(49, 49, 49)',
    );
    assert.equal(dark?.knobs[0]!.controls[1]!.background, 'rgb(49, 49, 49)', 'follows the theme');
    await h.page.locator('#knobs').screenshot({ path: join(SCREENSHOTS, 'knobs-dark.png') });
    await h.setTheme('light');
  });

  test('a slider posts its KnobChange on release, not while it moves', async () => {
    const scale = sliderScale(everyKnob()[0] as never);
    const before = (await knobMessages('knobs')).length;
    await h.operate('knobs', 'eps', 0, 600, ['input']);
    await h.operate('knobs', 'eps', 0, 650, ['input']);
    assert.equal((await knobMessages('knobs')).length, before, 'no message while dragging');
    const shown = (await h.knobs('knobs'))!.knobs[0]!.controls[1]!.value;
    assert.equal(shown, String(scale.fromPosition(650)), 'the value field follows the drag');
    await h.operate('knobs', 'eps', 0, 650, ['change']);
    assert.deepEqual((await knobMessages('knobs')).slice(before), [{ type: 'knob', outputId: 'knobs', key: 'eps', value: scale.fromPosition(650) }]);
  });

  test('typed values, choices, flags and ranges post the right KnobChange; a bad value posts nothing and says why', async () => {
    const before = (await knobMessages('knobs')).length;
    await h.operate('knobs', 'eps', 1, '1e-3', ['input', 'change']);
    await h.operate('knobs', 'eps', 1, '2', ['input', 'change']);
    const invalid = (await h.knobs('knobs'))!.knobs[0]!;
    assert.equal(invalid.controls[1]!.invalid, 'true');
    assert.match(invalid.title, /eps must be greater than 0 and at most 1/);
    await h.operate('knobs', 'batch', 0, 62, ['input', 'change']);
    await h.operate('knobs', 'norm', 0, 'GroupNorm', ['input', 'change']);
    await h.operate('knobs', 'affine', 0, false, ['input', 'change']);
    await h.operate('knobs', 'ranges', 3, '2000', ['input', 'change']);
    await h.operate('knobs', 'ranges', 0, '5', ['input', 'change']); // low above high: invalid
    assert.deepEqual(
      (await knobMessages('knobs')).slice(before).map(({ key, value }) => ({ key, value })),
      [
        { key: 'eps', value: 0.001 },
        { key: 'batch', value: 64 },
        { key: 'norm', value: 'GroupNorm' },
        { key: 'affine', value: false },
        {
          key: 'ranges',
          value: [
            [-1, 1],
            [0, 2000],
          ],
        },
      ],
    );
  });

  test('the shown values follow the payload; controls stay enabled while the cell runs', async () => {
    await h.render('knobs', payload({ eps: 0.01, batch: 128, norm: 'LayerNorm', affine: false }, { live: { state: 'running' } }));
    const row = (await h.knobs('knobs'))!;
    assert.equal(row.knobs[0]!.controls[1]!.value, '0.01');
    assert.equal(row.knobs[0]!.controls[1]!.invalid, null);
    assert.equal(row.knobs[0]!.controls[0]!.value, String(sliderScale(everyKnob({ eps: 0.01 })[0] as never).toPosition(0.01)));
    assert.equal(row.knobs[1]!.controls[0]!.value, String(128 - 2));
    assert.equal(row.knobs[2]!.controls[0]!.value, 'LayerNorm');
    assert.equal(row.knobs[3]!.controls[0]!.value, 'false');
    assert.ok(row.knobs.every((k) => k.controls.every((c) => !c.disabled)));
  });

  test('DriveKnob moves the control as a person would, and that posts the KnobChange', async () => {
    await h.render('knobs-2', payload());
    const before = (await knobMessages()).length;
    await h.send({ type: 'drive-knob', outputId: 'knobs-2', key: 'eps', value: 0.05 });
    await h.send({ type: 'drive-knob', outputId: 'knobs-2', key: 'norm', value: 'GroupNorm' });
    await h.send({
      type: 'drive-knob',
      outputId: 'knobs-2',
      key: 'ranges',
      value: [
        [-2, 2],
        [10, 20],
      ],
    });
    const row = (await h.knobs('knobs-2'))!;
    assert.equal(row.knobs[0]!.controls[1]!.value, '0.05');
    assert.equal(row.knobs[0]!.controls[0]!.value, String(sliderScale(everyKnob()[0] as never).toPosition(0.05)), 'the slider moved too');
    assert.equal(row.knobs[2]!.controls[0]!.value, 'GroupNorm');
    assert.deepEqual(
      (await knobMessages()).slice(before),
      [
        { type: 'knob', outputId: 'knobs-2', key: 'eps', value: 0.05 },
        { type: 'knob', outputId: 'knobs-2', key: 'norm', value: 'GroupNorm' },
        {
          type: 'knob',
          outputId: 'knobs-2',
          key: 'ranges',
          value: [
            [-2, 2],
            [10, 20],
          ],
        },
      ],
    );
    // Without an output id: every drawn output with that knob.
    const all = (await knobMessages()).length;
    await h.send({ type: 'drive-knob', key: 'batch', value: 16 });
    assert.deepEqual(
      (await knobMessages()).slice(all).map((m) => [m.outputId, m.value]).sort(),
      [
        ['knobs', 16],
        ['knobs-2', 16],
      ],
    );
  });

  test('arrow keys on a slider commit once the keys rest', async () => {
    await h.page.locator('#knobs-2 input[type=range]').first().focus();
    const before = (await knobMessages('knobs-2')).length;
    for (let i = 0; i < 3; i++) await h.page.keyboard.press('ArrowRight');
    assert.equal((await knobMessages('knobs-2')).length, before, 'not on every key');
    await h.page.waitForTimeout(KEYBOARD_SETTLE_MS + 200);
    const sent = (await knobMessages('knobs-2')).slice(before);
    assert.equal(sent.length, 1, JSON.stringify(sent));
    assert.equal(sent[0]!.key, 'eps');
    assert.ok((sent[0]!.value as number) > 0.05, `moved right from 0.05: ${sent[0]!.value}`);
    await h.dispose();
    assert.deepEqual(h.errors, []);
  });
});

describe('overlapping arms in Chromium', () => {
  test('sample 05: the "no norm" curve is drawn over LayerNorm and GroupNorm, every arm shows its markers', async () => {
    const notebook = JSON.parse(await readFile(join(ROOT, 'samples/05-small-batches.bnnb'), 'utf8')) as {
      cells: Array<{ outputs?: Array<{ items: Array<{ mime: string; data: PlotPayload }> }> }>;
    };
    const payload = notebook.cells
      .flatMap((cell) => cell.outputs ?? [])
      .flatMap((output) => output.items)
      .map((item) => item.data)
      .find((data) => data?.plot?.kind === 'small-multiples');
    assert.ok(payload, 'the training curves of sample 05');
    await h.render('sample-05', payload);
    const report = await h.live('sample-05');
    for (const axis of ['x', 'x2']) {
      const order = report.traces.filter((t) => t.xaxis === axis && t.type === 'scatter').map((t) => t.legendgroup);
      assert.equal(order.at(-1), 'no norm', `${axis}: drawn last, on top (${order})`);
    }
    const markers = await h.page.locator('#sample-05 .scatterlayer .trace').evaluateAll((traces) => traces.map((trace) => trace.querySelectorAll('.points path').length));
    assert.ok(markers.length >= 8 && markers.every((n) => n > 0), `markers per curve: ${markers}`);
    await h.page.locator('#sample-05').screenshot({ path: join(SCREENSHOTS, 'sample-05-overlapping-arms.png') });
    await h.dispose('sample-05');
  });
});
