import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIVE_INTERVAL_MS, LivePlots } from '../../../src/kernel/live-plots';
import type { PlotPayload } from '../../../src/shared/payload';

function curves(points: number): PlotPayload {
  const steps = Array.from({ length: points }, (_, i) => i + 1);
  return { version: 1, plot: { kind: 'training-curves', title: 't', x: { label: 'step' }, metrics: [{ id: 'loss', label: 'loss' }], curves: [{ arm: 'BatchNorm', metric: 'loss', steps, values: steps }] } };
}

const pointsOf = (plots: PlotPayload[]) => (plots[0]!.plot.kind === 'training-curves' ? plots[0]!.plot.curves[0]!.steps.length : -1);

test('live plots go out at most once per interval, the first at once, and only builders that are due run', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const sent: PlotPayload[][] = [];
  let builds = 0;
  const live = new LivePlots((plots) => sent.push(plots));
  for (let step = 1; step <= 100; step++) {
    live.offer(() => (builds++, [curves(step)]));
    t.mock.timers.tick(10); // a 10 ms training step: 1 s in all
  }
  t.mock.timers.tick(LIVE_INTERVAL_MS);
  // 1 s of steps at 4 a second: the first, three or four more, and the trailing one.
  assert.ok(sent.length >= 4 && sent.length <= 6, `${sent.length} updates in 1 s`);
  assert.equal(builds, sent.length, 'a builder runs only when its plots are sent');
  assert.equal(pointsOf(sent[0]!), 1);
  assert.equal(pointsOf(sent.at(-1)!), 100, 'the latest data is sent after the news stops');
  assert.ok(sent.every((plots) => plots[0]!.live?.state === 'running'));
  for (let i = 1; i < sent.length; i++) assert.ok(pointsOf(sent[i]!) > pointsOf(sent[i - 1]!), 'each update has more data');
});

test('closing the stream (the final outputs arrived) stops pending updates', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const sent: PlotPayload[][] = [];
  const live = new LivePlots((plots) => sent.push(plots));
  live.offer(() => [curves(1)]);
  live.offer(() => [curves(2)]); // due later
  assert.equal(live.close(), true);
  t.mock.timers.tick(LIVE_INTERVAL_MS * 4);
  live.offer(() => [curves(3)]);
  assert.equal(sent.length, 1, 'nothing after close');
});

test('an interrupted run keeps its latest plots, marked as interrupted', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const sent: PlotPayload[][] = [];
  const live = new LivePlots((plots) => sent.push(plots));
  assert.equal(new LivePlots(() => {}).interrupted(), undefined, 'no plots offered: nothing to keep');
  live.offer(() => [curves(1)]);
  live.offer(() => [curves(7)]);
  const kept = live.interrupted();
  assert.ok(kept);
  assert.equal(pointsOf(kept), 7, 'the latest data, even if it had not been sent');
  assert.equal(kept[0]!.live?.state, 'interrupted');
  t.mock.timers.tick(LIVE_INTERVAL_MS * 2);
  assert.equal(sent.length, 1, 'no update after the interrupt');
});

test('a builder that throws does not fail the run: the error is reported once and live updates stop', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const errors: unknown[] = [];
  const sent: PlotPayload[][] = [];
  const live = new LivePlots((plots) => sent.push(plots), (error) => errors.push(error));
  live.offer(() => {
    throw new Error('bad data');
  });
  t.mock.timers.tick(LIVE_INTERVAL_MS);
  assert.equal(errors.length, 1);
  assert.equal(sent.length, 0);
  assert.equal(live.interrupted(), undefined);
});
