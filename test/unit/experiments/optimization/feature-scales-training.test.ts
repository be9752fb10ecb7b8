import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Generator } from '../../../../src/engine';
import { makeTask } from '../../../../src/experiments/optimization/feature-scales-training';
import type { TrainingCurvesPlot } from '../../../../src/shared/payload';
import { expectCellError, runCell } from './helpers';

describe('experiment feature-scales-training', () => {
  it('names the key, the line and the allowed values of a wrong parameter', () => {
    expectCellError('experiment: feature-scales-training\nsteps: 100\noptimizer: rmsprop\n', /"optimizer" must be one of "sgd", "adam"; got "rmsprop"/, 3, 'optimizer');
    expectCellError('experiment: feature-scales-training\nfeatures: [[1, 2]]\n', /"features" must be a list of 2 to 16 ranges/, 2, 'features');
    expectCellError('experiment: feature-scales-training\nlr: 0\n', /"lr" must be a number greater than 0 and at most 10; got 0/, 2, 'lr');
  });

  it('labels by z1 z2 + z3 z4 > 0 and puts each feature on its range', () => {
    const ranges: [number, number][] = [[-1000, 1000], [-1, 1], [-0.001, 0.001], [9999, 10001]];
    const { x, y } = makeTask(2000, ranges, new Generator(1));
    const ones = y.data.reduce((a, b) => a + b, 0);
    assert.ok(ones > 900 && ones < 1100, `balanced classes: ${ones} of 2000`);
    for (let i = 0; i < 2000; i++) {
      const row = Array.from(x.data.subarray(i * 4, i * 4 + 4));
      row.forEach((v, j) => assert.ok(v >= ranges[j]![0] - 1e-3 && v <= ranges[j]![1] + 1e-3, `feature ${j} = ${v}`));
      const z = row.map((v, j) => (2 * (v - ranges[j]![0])) / (ranges[j]![1] - ranges[j]![0]) - 1);
      const s = z[0]! * z[1]! + z[2]! * z[3]!;
      if (Math.abs(s) > 1e-2) assert.equal(y.data[i], s > 0 ? 1 : 0);
    }
  });

  it('learns with BatchNorm on the input and not from the raw features', async () => {
    const { plots, markdown, progressSteps } = await runCell('experiment: feature-scales-training\nsteps: 1000\nseeds: 1\ntrainSize: 1000\ntestSize: 500\nseed: 3');
    assert.equal(plots.length, 1);
    const plot = plots[0] as TrainingCurvesPlot;
    assert.equal(plot.kind, 'training-curves');
    assert.deepEqual(plot.metrics.map((m) => m.id), ['accuracy', 'loss']);
    const arms = [...new Set(plot.curves.map((c) => c.arm))];
    assert.deepEqual(arms, ['no norm', 'BatchNorm', 'standardized inputs', 'hidden BatchNorm']);
    for (const curve of plot.curves) {
      assert.equal(curve.steps.length, curve.values.length);
      assert.ok(curve.steps.length <= 101, 'downsampled');
    }
    const finalAccuracy = (arm: string): number => plot.curves.find((c) => c.arm === arm && c.metric === 'accuracy')!.values.at(-1)!;
    assert.ok(finalAccuracy('BatchNorm') > 85, `BatchNorm: ${finalAccuracy('BatchNorm')} %`);
    assert.ok(finalAccuracy('no norm') < 65, `no norm: ${finalAccuracy('no norm')} %`);
    assert.ok(finalAccuracy('standardized inputs') > 85);
    assert.match(markdown, /\| BatchNorm \| \d+\.\d\s% \|/);
    assert.match(markdown, /From the raw features the MLP (collapsed to one class|reaches).*With a BatchNorm1d on its input it reaches \d+\.\d\s%/);
    assert.ok(progressSteps > 0, 'reports progress');
  });

  it('can leave out the hidden-BatchNorm arm, and runs several seeds', async () => {
    const { plots, markdown } = await runCell('experiment: feature-scales-training\nsteps: 50\nseeds: 2\nhiddenBatchNorm: false\noptimizer: adam\nlr: 0.01\ntrainSize: 200\ntestSize: 100');
    const plot = plots[0] as TrainingCurvesPlot;
    assert.deepEqual([...new Set(plot.curves.map((c) => c.arm))], ['no norm', 'BatchNorm', 'standardized inputs']);
    assert.equal(plot.curves.length, 3 * 2 * 2, 'arms × seeds × metrics');
    assert.match(markdown, /\(2 seeds: /);
  });
});
