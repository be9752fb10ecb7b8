import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawable, finishedOnly, reported } from '../../../src/experiments/live';
import { keepUnits } from '../../../src/experiments/numbers';
import type { PlotPayload } from '../../../src/shared/payload';
import { validatePayload } from '../../../renderers/validate';

const curves = (steps: number[][]): PlotPayload => ({
  version: 1,
  plot: {
    kind: 'training-curves',
    title: 't',
    x: { label: 'step' },
    metrics: [{ id: 'loss', label: 'loss' }],
    curves: steps.map((s, i) => ({ arm: `arm ${i}`, metric: 'loss', split: 'train' as const, steps: s, values: s.map(() => 1) })),
  },
});

const sweep = (points: { x: number; values: number[]; diverged?: number }[][]): PlotPayload => ({
  version: 1,
  plot: { kind: 'sweep', title: 's', x: { label: 'x' }, y: { label: 'y' }, spread: 'min-max', arms: points.map((p, i) => ({ arm: `arm ${i}`, points: p })) },
});

describe('live plots from partial data', () => {
  it('drops curves with no point yet, and a plot with nothing left', () => {
    const live = drawable([curves([[1, 2], []]), curves([[]])]);
    assert.equal(live.length, 1);
    assert.ok(validatePayload(live[0]!).ok);
    assert.deepEqual(live[0]!.plot.kind === 'training-curves' && live[0]!.plot.curves.map((c) => c.arm), ['arm 0']);
  });

  it('keeps sweep points that have a value or a divergence, and drops arms with none', () => {
    const [live] = drawable([sweep([[{ x: 1, values: [] }, { x: 2, values: [50] }, { x: 3, values: [], diverged: 1 }], [{ x: 1, values: [] }]])]);
    assert.ok(live && validatePayload(live).ok);
    assert.deepEqual(live.plot.kind === 'sweep' && live.plot.arms.map((a) => a.points.map((p) => p.x)), [[2, 3]]);
  });

  it('is a snapshot: growing the data afterwards does not change it', () => {
    const steps = [1];
    const [live] = drawable([curves([steps])]);
    steps.push(2);
    assert.deepEqual(live!.plot.kind === 'training-curves' && live!.plot.curves[0]!.steps, [1]);
  });

  it('picks the reported and the finished results', () => {
    assert.deepEqual(reported([1, undefined, 3]), [1, 3]);
    assert.deepEqual(finishedOnly([1, 2, 3], [true, false, true]), [1, undefined, 3]);
  });

  it('keeps numbers with their units in table cells', () => {
    assert.equal(keepUnits('91.2 % (91.0–91.7 %), +2.3 pp to −1 pp; 3 ppm, 5 points'), '91.2\u00a0% (91.0–91.7\u00a0%), +2.3\u00a0pp to −1\u00a0pp; 3 ppm, 5 points');
  });
});
