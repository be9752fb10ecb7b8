import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logGrid } from '../../../../src/experiments/optimization/common';
import type { SweepPlot, TrainingCurvesPlot } from '../../../../src/shared/payload';
import { expectCellError, runCell } from './helpers';

describe('experiment learning-rate-sweep', () => {
  it('names the key, the line and the allowed values of a wrong parameter', () => {
    expectCellError('experiment: learning-rate-sweep\ninit: xavier\n', /"init" must be one of "he", "pytorch"; got "xavier"/, 2, 'init');
    expectCellError('experiment: learning-rate-sweep\nsteps: 100\npointsPerDecade: 0\n', /"pointsPerDecade" must be an integer from 1 to 10; got 0/, 3, 'pointsPerDecade');
  });

  it('refuses an empty range of learning rates', async () => {
    await assert.rejects(runCell('experiment: learning-rate-sweep\nlrMin: 1\nlrMax: 0.1'), /"lrMax" \(0\.1\) must be larger than "lrMin" \(1\)/);
  });

  it('spaces learning rates evenly on a log scale', () => {
    assert.deepEqual(logGrid(0.001, 10, 1), [0.001, 0.01, 0.1, 1, 10]);
    assert.deepEqual(logGrid(0.001, 10, 2), [0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10]);
  });

  it('marks diverged runs without BatchNorm at large rates, where BatchNorm trains', async () => {
    const source = 'experiment: learning-rate-sweep\nlrMin: 0.1\nlrMax: 10\npointsPerDecade: 1\nsteps: 40\nseeds: 2\ndepth: 4\nwidth: 32\ntestSize: 300\ncurvesLr: 3';
    const { plots, markdown } = await runCell(source);
    assert.deepEqual(plots.map((p) => p.kind), ['sweep', 'training-curves']);
    const sweep = plots[0] as SweepPlot;
    assert.equal(sweep.x.scale, 'log');
    assert.deepEqual(sweep.arms.map((a) => a.arm), ['no norm', 'BatchNorm']);
    for (const arm of sweep.arms) {
      assert.deepEqual(arm.points.map((p) => p.x), [0.1, 1, 10]);
      for (const p of arm.points) assert.equal(p.values.length + (p.diverged ?? 0), 2, 'one result per seed');
    }
    const [plain, bn] = sweep.arms as [SweepPlot['arms'][number], SweepPlot['arms'][number]];
    const at10 = (arm: typeof plain) => arm.points[2]!;
    assert.equal(at10(plain).diverged, 2, 'without BatchNorm both seeds diverge at lr 10');
    assert.match(at10(plain).reason!, /Training diverged at step \d+/);
    assert.equal(bn.points[1]!.diverged ?? 0, 0, 'BatchNorm does not diverge at lr 1');
    assert.ok(Math.min(...bn.points[1]!.values) > 50, `BatchNorm at lr 1: ${bn.points[1]!.values}`);

    const curves = plots[1] as TrainingCurvesPlot;
    assert.match(curves.title, /learning rate 1,/, 'the swept rate nearest to curvesLr 3 on a log scale is 1');
    assert.match(markdown, /\| 10 \| diverged \(all 2 seeds/);
    assert.match(markdown, /Bjorck et al\. \(2018/);
  });

  it('still draws the curves when a run diverges before its first record', async () => {
    const { plots } = await runCell('experiment: learning-rate-sweep\nlrMin: 3\nlrMax: 10\npointsPerDecade: 1\nsteps: 150\nseeds: 1\ndepth: 6\nwidth: 32\ntestSize: 200\ncurvesLr: 10');
    const curves = plots[1] as TrainingCurvesPlot;
    const plainDivergence = curves.divergences?.find((d) => d.arm === 'no norm');
    assert.ok(plainDivergence && plainDivergence.step < 10, `no norm diverges within the first record interval: ${JSON.stringify(curves.divergences)}`);
    assert.ok(curves.curves.every((c) => c.steps.length > 0));
    assert.ok(curves.curves.some((c) => c.arm === 'BatchNorm'));
  });
});
