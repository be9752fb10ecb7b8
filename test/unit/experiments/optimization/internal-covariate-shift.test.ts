import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PercentileBandsPlot, TrainingCurvesPlot } from '../../../../src/shared/payload';
import { expectCellError, runCell } from './helpers';

describe('experiment internal-covariate-shift', () => {
  it('names the key, the line and the allowed values of a wrong parameter', () => {
    expectCellError('experiment: internal-covariate-shift\nsteps: 100000\n', /"steps" must be an integer from 50 to 50000; got 100000/, 2, 'steps');
    expectCellError('experiment: internal-covariate-shift\nseed: 1\ninitStd: -0.05\n', /"initStd" must be a number greater than 0 and at most 10; got -0\.05/, 3, 'initStd');
  });

  it('refuses a unit the last hidden layer does not have', async () => {
    await assert.rejects(runCell('experiment: internal-covariate-shift\nhidden: 10\nunit: 10\nsteps: 50'), /"unit" must be below "hidden" \(10\).*got 10/);
  });

  it('shows test accuracy for both arms and the percentile bands of one sigmoid input; BatchNorm learns faster', async () => {
    const source = 'experiment: internal-covariate-shift\nsteps: 150\nseeds: 1\nhidden: 32\ntestSize: 300\ncheckpoints: 6\nunit: 5\ninitStd: 0.05\nseed: 2';
    const { plots, markdown, progressSteps } = await runCell(source);
    assert.deepEqual(plots.map((p) => p.kind), ['training-curves', 'percentile-bands']);
    const curves = plots[0] as TrainingCurvesPlot;
    const bands = plots[1] as PercentileBandsPlot;

    const accuracy = curves.curves.filter((c) => c.metric === 'accuracy');
    assert.deepEqual(accuracy.map((c) => c.arm), ['no norm', 'BatchNorm']);
    for (const c of accuracy) {
      assert.equal(c.split, 'test');
      assert.equal(c.steps[0], 0, 'measured before training');
      assert.equal(c.steps.at(-1), 150);
      assert.equal(c.steps.length, 7, 'step 0 and 6 checkpoints');
    }
    const final = (arm: string): number => accuracy.find((c) => c.arm === arm)!.values.at(-1)!;
    // After 150 steps of SGD from small weights the sigmoid network without BatchNorm is still on its plateau.
    assert.ok(final('BatchNorm') > final('no norm') + 20, `BatchNorm ${final('BatchNorm')} % vs no norm ${final('no norm')} %`);

    assert.deepEqual(bands.percentiles, [15, 50, 85]);
    assert.deepEqual(bands.arms.map((a) => a.arm), ['no norm', 'BatchNorm']);
    for (const arm of bands.arms) {
      assert.equal(arm.values.length, 3);
      for (const v of arm.values) assert.equal(v.length, arm.steps.length);
      arm.steps.forEach((_, i) => assert.ok(arm.values[0]![i]! <= arm.values[1]![i]! && arm.values[1]![i]! <= arm.values[2]![i]!, 'percentiles ascend'));
    }
    // BatchNorm standardizes the sigmoid input from the start (15th–85th ≈ ±1 std ≈ 2 wide); without it, small weights keep it narrow.
    const width = (arm: PercentileBandsPlot['arms'][number], i: number): number => arm.values[2]![i]! - arm.values[0]![i]!;
    assert.ok(width(bands.arms[1]!, 0) > 1.5 && width(bands.arms[1]!, 0) < 2.5, `BatchNorm width at step 0: ${width(bands.arms[1]!, 0)}`);
    assert.ok(width(bands.arms[0]!, 0) < 0.5, `no norm width at step 0: ${width(bands.arms[0]!, 0)}`);
    assert.match(bands.title, /sigmoid unit 5/);
    assert.match(markdown, /\| no norm \| .* \|\n\| BatchNorm \|/);
    assert.match(markdown, /Ioffe & Szegedy \(2015, Fig\. 1/);
    assert.ok(progressSteps > 0);
  });
});
