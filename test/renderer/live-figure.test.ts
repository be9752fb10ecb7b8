// The pure side of a live lab, in node: validation of live/previous/knobs, the knob sliders' numbers, and
// the payload figure (previous result overlay or fade, the live badge, stable trace ids, growing axes).
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Knob, NumberKnob, PlotPayload } from '../../src/shared/payload';
import { FADED_OPACITY, OVERLAY_OPACITY, buildPayloadFigure, lightTheme, overlayable, toFigure } from '../../renderers/figure';
import { liveEnd } from '../../renderers/figures/common';
import { LOG_DECADES_BELOW_MAX, formatKnobNumber, parseKnobNumber, parseNumber, sliderScale } from '../../renderers/knob-scale';
import { validatePayload } from '../../renderers/validate';
import { distributionPayload } from './harness';
import { curvesUpTo, everyKnob, livePayload, runningCurves } from './live-payloads';
import { heatmapPlot, percentileBandsPlot, sweepPlot, trainingCurvesPlot } from './payloads';

type Trace = { name?: string; uid?: string; opacity?: number; showlegend?: boolean; hoverinfo?: string; legendgroup?: string; type?: string };
const traces = (payload: PlotPayload): Trace[] => buildPayloadFigure(payload, lightTheme()).data as Trace[];

describe('validatePayload: live, previous, knobs', () => {
  test('accepts a live payload with a previous result and one knob of every kind', () => {
    const payload = livePayload(curvesUpTo(trainingCurvesPlot(), 500), { state: 'running', label: 'step 500' }, { previous: trainingCurvesPlot(), knobs: everyKnob() });
    const result = validatePayload(payload);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(validatePayload(livePayload(heatmapPlot(), { state: 'interrupted' })).ok, true);
  });

  const knob = (patch: Record<string, unknown>, index = 0): PlotPayload => {
    const knobs = everyKnob() as unknown as Record<string, unknown>[];
    knobs[index] = { ...knobs[index], ...patch };
    return livePayload(distributionPayload().plot, undefined, { knobs: knobs as unknown as Knob[] });
  };
  const cases: Array<[string, unknown, string]> = [
    ['an unknown live state', livePayload(heatmapPlot(), { state: 'done' as never }), 'live.state: expected one of "running", "interrupted", got the string "done"'],
    ['a live label that is not text', { ...livePayload(heatmapPlot()), live: { state: 'running', label: 4 } }, 'live.label: expected a string, got the number 4'],
    ['a broken previous plot', { ...livePayload(heatmapPlot()), previous: { kind: 'sweep', title: 't' } }, 'previous.x: missing required field'],
    ['knobs that are not a list', { ...livePayload(heatmapPlot()), knobs: { eps: 1 } }, 'knobs: expected an array of knobs, got an object'],
    ['an unknown knob kind', knob({ kind: 'slider' }), 'knobs[0].kind: expected one of "integer", "number", "choice", "boolean", "ranges", got the string "slider"'],
    ['a value out of range', knob({ value: 3 }), 'knobs[0].value: expected a value > 0 and ≤ 1, got 3'],
    ['the exclusive minimum itself', knob({ value: 0 }), 'knobs[0].value: expected a value > 0 and ≤ 1, got 0'],
    ['a log knob down to 0 without exclusiveMin', knob({ exclusiveMin: false }), 'knobs[0].min: a log-scale knob needs min > 0 (or min 0 with exclusiveMin: true), got 0 without exclusiveMin'],
    ['max not above min', knob({ min: 1, max: 1, exclusiveMin: false }), 'knobs[0].max: expected a maximum greater than min (1), got 1'],
    ['a fractional integer', knob({ value: 2.5 }, 1), 'knobs[1].value: expected a whole number (the knob is an integer), got 2.5'],
    ['a choice not offered', knob({ value: 'RMSNorm' }, 2), 'knobs[2].value: expected one of the choices ("BatchNorm", "LayerNorm", "GroupNorm"), got the string "RMSNorm"'],
    ['a flag that is not a boolean', knob({ value: 'yes' }, 3), 'knobs[3].value: expected true or false, got the string "yes"'],
    ['a range with low above high', knob({ value: [[2, 1]] }, 4), 'knobs[4].value[0]: expected low ≤ high, got [2, 1]'],
    ['a range of three numbers', knob({ value: [[1, 2, 3]] }, 4), 'knobs[4].value[0]: expected a [low, high] pair, got 3 numbers'],
    ['a duplicate key', knob({ key: 'batch' }, 0), 'knobs[1].key: duplicate knob key "batch"'],
    ['a knob without a description', knob({ description: undefined }, 2), 'knobs[2].description: missing required field'],
  ];
  for (const [name, payload, message] of cases) {
    test(`rejects ${name}`, () => {
      const result = validatePayload(payload);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.message, message);
    });
  }
});

describe('knob sliders', () => {
  const eps = everyKnob()[0] as NumberKnob;

  test('a log slider with an exclusive minimum of 0 spans decades below the maximum and never reaches 0', () => {
    const scale = sliderScale(eps);
    assert.ok(Math.abs(scale.lo - 10 ** -LOG_DECADES_BELOW_MAX) < 1e-15, `lo ${scale.lo}`);
    assert.equal(scale.hi, 1);
    assert.ok(scale.fromPosition(0) > 0);
    assert.equal(scale.fromPosition(scale.positions), 1);
    // Equal steps in position are equal ratios in value.
    const ratios = [200, 400, 600].map((p) => scale.fromPosition(p + 100) / scale.fromPosition(p));
    for (const r of ratios) assert.ok(Math.abs(r - ratios[0]!) / ratios[0]! < 0.1, `ratios ${ratios}`);
    for (const v of [1e-5, 1e-3, 0.05, 0.5]) assert.ok(Math.abs(scale.fromPosition(scale.toPosition(v)) / v - 1) < 0.02, `round trip of ${v}`);
    // Values read well: two significant digits.
    for (let p = 0; p <= scale.positions; p += 37) assert.ok(String(scale.fromPosition(p)).replace(/^0\.0*|e.*$|\./g, '').length <= 2, String(scale.fromPosition(p)));
    // A value below the usual left end extends it.
    assert.equal(sliderScale({ ...eps, value: 1e-9 }).lo, 1e-9);
  });

  test('integers snap; an exclusive minimum is respected; linear numbers take round steps', () => {
    const batch = sliderScale(everyKnob()[1] as NumberKnob);
    assert.equal(batch.positions, 254);
    assert.equal(batch.fromPosition(30), 32);
    const logSteps = sliderScale({ key: 'steps', kind: 'integer', description: '', min: 100, max: 50000, scale: 'log', value: 1500 });
    for (let p = 0; p <= logSteps.positions; p += 50) assert.ok(Number.isInteger(logSteps.fromPosition(p)));
    const exclusive = sliderScale({ key: 'lr', kind: 'number', description: '', min: 0, max: 10, exclusiveMin: true, scale: 'linear', value: 0.5 });
    assert.ok(exclusive.fromPosition(0) > 0, `left end ${exclusive.fromPosition(0)}`);
    assert.equal(exclusive.fromPosition(exclusive.toPosition(0.5)), 0.5);
    const dropout = sliderScale({ key: 'dropout', kind: 'number', description: '', min: 0, max: 0.95, scale: 'linear', value: 0.5 });
    assert.equal(dropout.fromPosition(dropout.toPosition(0.5)), 0.5);
    assert.equal(dropout.fromPosition(1), 0.005);
    const positiveMin = sliderScale({ key: 'x', kind: 'integer', description: '', min: 1, max: 5, exclusiveMin: true, scale: 'linear', value: 3 });
    assert.equal(positiveMin.fromPosition(0), 2);
  });

  test('typed values: numbers as people write them, checked against the range', () => {
    assert.deepEqual(parseNumber('1e-5'), { ok: true, value: 1e-5 });
    assert.deepEqual(parseNumber(' 1,000 '), { ok: true, value: 1000 });
    assert.deepEqual(parseNumber('\u22122.5'), { ok: true, value: -2.5 });
    assert.equal(parseNumber('abc').ok, false);
    assert.deepEqual(parseKnobNumber('0.001', eps), { ok: true, value: 0.001 });
    assert.deepEqual(parseKnobNumber('0', eps), { ok: false, message: 'eps must be greater than 0 and at most 1' });
    assert.deepEqual(parseKnobNumber('2.5', everyKnob()[1] as NumberKnob), { ok: false, message: 'batch must be a whole number' });
    assert.equal(formatKnobNumber(1e-5), '0.00001');
    assert.equal(formatKnobNumber(1e-7), '1e-7');
    assert.equal(formatKnobNumber(1e21), '1e21');
  });
});

describe('the payload figure', () => {
  test('previous result: faint traces under the current ones, out of the legend, without hover', () => {
    const current = curvesUpTo(trainingCurvesPlot(), 600);
    const data = traces(livePayload(current, { state: 'running' }, { previous: trainingCurvesPlot({ seed: 4 }) }));
    const alone = traces(livePayload(current, { state: 'running' }));
    const faint = data.filter((t) => String(t.name).startsWith('previous: '));
    assert.ok(faint.length > 0);
    assert.deepEqual(data.slice(faint.length).map((t) => t.uid), alone.map((t) => t.uid), 'the current traces come after, unchanged');
    for (const t of faint) {
      assert.equal(t.opacity, OVERLAY_OPACITY);
      assert.equal(t.showlegend, false);
      assert.equal(t.hoverinfo, 'skip');
      assert.ok(t.legendgroup, 'toggles with its arm');
      assert.equal((t as { hovertemplate?: unknown }).hovertemplate, undefined);
    }
    assert.ok(!faint.some((t) => /diverged$/.test(String(t.name))), 'the previous divergence marks are not repeated');
  });

  test('kinds without an overlay fade the whole figure: heatmaps, another kind', () => {
    assert.equal(overlayable(heatmapPlot(), heatmapPlot({ seed: 2 })), false);
    assert.equal(overlayable(sweepPlot(), trainingCurvesPlot()), false);
    assert.equal(overlayable(percentileBandsPlot(), percentileBandsPlot({ seed: 2 })), true);
    const heat = traces(livePayload(heatmapPlot(), undefined, { previous: heatmapPlot({ seed: 2 }) }));
    assert.deepEqual(heat.map((t) => t.opacity), [FADED_OPACITY]);
    const other = traces(livePayload(sweepPlot(), undefined, { previous: trainingCurvesPlot() }));
    assert.ok(other.every((t) => t.opacity === FADED_OPACITY));
  });

  test('a previous histogram outside the current ranges widens them', () => {
    const current = distributionPayload({ seed: 1 }).plot;
    const wider = structuredClone(current);
    for (const d of wider.rows[0]!.distributions[0]!.histogram.edges.keys()) wider.rows[0]!.distributions[0]!.histogram.edges[d]! *= 3;
    const plain = toFigure(current).layout as unknown as Record<string, { range: number[] }>;
    const overlaid = toFigure(livePayload(current, undefined, { previous: wider })).layout as unknown as Record<string, { range: number[] }>;
    assert.ok(overlaid.xaxis!.range[0]! < plain.xaxis!.range[0]! && overlaid.xaxis!.range[1]! > plain.xaxis!.range[1]!);
    assert.deepEqual(overlaid.xaxis3!.range, plain.xaxis3!.range, 'the other cells keep theirs');
  });

  test('the live badge is part of the figure, and the style key keeps clear of it', () => {
    const plot = trainingCurvesPlot();
    const figure = toFigure(livePayload(plot, { state: 'running', label: 'step 400 of 3000' }), lightTheme(), { width: 420 });
    const badge = (figure.layout.annotations ?? []).find((a) => a.name === 'bnlab-live-badge');
    assert.ok(badge, 'a badge annotation');
    assert.equal(badge.text, '<b>running…</b>  step 400 of 3000');
    assert.equal(badge.xanchor, 'right');
    const final = toFigure(livePayload(plot), lightTheme(), { width: 420 });
    assert.ok(!(final.layout.annotations ?? []).some((a) => a.name === 'bnlab-live-badge'));
    const keyLines = (f: typeof figure): number => String((f.layout.title as { subtitle: { text: string } }).subtitle.text).split('<br>').length;
    assert.ok(keyLines(figure) > keyLines(final), `the key wraps before the badge: ${keyLines(figure)} lines against ${keyLines(final)}`);
    const titles = (f: typeof figure): string => String((f.layout.title as { text: string }).text);
    assert.equal(titles(figure), titles(final), 'the title is not touched');
    // Below the mode bar: its top at least 30 px under the top of the figure.
    const margin = figure.layout.margin as { t: number; b: number };
    const plotHeight = figure.layout.height! - margin.t - margin.b;
    assert.ok(margin.t - (Number(badge.y) - 1) * plotHeight >= 30, 'under the mode bar');
    const interrupted = toFigure(livePayload(plot, { state: 'interrupted' }), lightTheme());
    const mark = (interrupted.layout.annotations ?? []).find((a) => a.name === 'bnlab-live-badge');
    assert.equal(mark?.text, '<b>interrupted: partial result</b>');
    assert.equal(mark?.bordercolor, lightTheme().warning);
  });

  test('trace ids are stable when traces appear before others (a new arm, a new curve)', () => {
    const early = traces(runningCurves(300));
    const later = traces(runningCurves(900));
    const byName = (list: Trace[]): Map<string, string> => new Map(list.map((t) => [`${t.name}|${(t as { xaxis?: string }).xaxis}|${t.legendgroup}|${t.uid}`, t.uid!]));
    const earlyIds = new Set(byName(early).values());
    const laterIds = new Set(byName(later).values());
    for (const id of earlyIds) assert.ok(laterIds.has(id), `${id} kept`);
    assert.ok(laterIds.size > earlyIds.size, 'the divergence at 812 added traces');
    assert.equal(new Set(later.map((t) => t.uid)).size, later.length, 'unique');
  });

  test('growing axes end at round steps at most 25 % past the data', () => {
    assert.deepEqual([95, 100, 101, 130, 151, 210, 260, 310, 420, 510, 610, 810].map(liveEnd), [100, 100, 120, 150, 200, 250, 300, 400, 500, 600, 800, 1000]);
    const axis = (toFigure(runningCurves(1300)).layout as Record<string, { range?: number[]; autorange?: boolean }>).xaxis!;
    assert.deepEqual(axis.range, [0, 1500]);
    const final = (toFigure(livePayload(trainingCurvesPlot())).layout as Record<string, { range?: number[] }>).xaxis!;
    assert.equal(final.range, undefined, 'a final plot autoranges');
  });
});
