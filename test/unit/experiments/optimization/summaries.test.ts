// The optimization experiments' summaries as pure functions of result numbers: synthetic results on both
// sides of each verdict, and the words each one must (and must not) produce.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readClaimsTables } from '../../../../src/experiments/claims';
import { summary as icsSummary, reachedBetween, type ArmRun } from '../../../../src/experiments/optimization/internal-covariate-shift';
import { summary as lrSummary, type Run as LrRun } from '../../../../src/experiments/optimization/learning-rate-sweep';
import { summary as fsSummary, type Run as FsRun } from '../../../../src/experiments/optimization/feature-scales-training';
import type { TrainResult } from '../../../../src/experiments/training';

const ICS_PARAMS = { steps: 50000, batchSize: 60, lr: 0.5, initStd: 0.1, hidden: 100, unit: 0, checkpoints: 30, testSize: 1000, seed: 0 };
// Checkpoints every 1,666 steps, as the paper-length run has them.
const CHECKPOINTS = [0, ...Array.from({ length: 30 }, (_, i) => (i + 1) * 1666), 50000];

function icsRun(arm: string, seed: number, accuracy: (step: number) => number, medianSwing: number): ArmRun {
  return {
    arm,
    seed,
    steps: CHECKPOINTS,
    testAccuracy: CHECKPOINTS.map(accuracy),
    loss: [0.5],
    lossSteps: [50000],
    bands: [CHECKPOINTS.map((_, i) => -1 - (medianSwing * i) / 31), CHECKPOINTS.map((_, i) => (-medianSwing * i) / 31), CHECKPOINTS.map((_, i) => 1 - (medianSwing * i) / 31)],
  };
}

describe('internal-covariate-shift summary', () => {
  it('a 0.4-point gap on one seed and 1,000 digits is not "learns faster"', () => {
    const runs = [icsRun('no norm', 0, (s) => (s === 0 ? 0.1 : 0.97), 1.4), icsRun('BatchNorm', 0, (s) => (s === 0 ? 0.1 : 0.974), 0.5)];
    const md = icsSummary(runs, { ...ICS_PARAMS, seeds: 1 } as never);
    assert.doesNotMatch(md, /it learns faster/);
    assert.match(md, /\+0\.4\spp \(one seed\), within the noise: smaller than the test set’s sampling error/);
    assert.match(md, /no clear difference in speed here/);
    const claims = readClaimsTables(md);
    assert.equal(claims[0]!.holds, false, 'the learns-faster claim fails');
    assert.equal(claims[1]!.holds, true, 'the steadier-input claim holds');
  });

  it('a large early gap in every seed is "learns faster"; columns name the checkpoints they read', () => {
    const plain = (s: number): number => Math.min(0.95, 0.1 + s / 20000);
    const bn = (s: number): number => (s === 0 ? 0.1 : 0.93);
    const runs = [icsRun('no norm', 0, plain, 1.4), icsRun('BatchNorm', 0, bn, 0.5), icsRun('no norm', 1, plain, 1.2), icsRun('BatchNorm', 1, (s) => bn(s) + 0.01, 0.4)];
    const md = icsSummary(runs, { ...ICS_PARAMS, seeds: 2 } as never);
    assert.match(md, /with BatchNorm it learns faster here, as in the paper/);
    assert.match(md, /\| arm \| test accuracy at step 4,998 \| at step 24,990 \| at step 50,000 \|/, 'the checkpoints measured, not 5,000 and 25,000');
    assert.match(md, /a clear effect: both seeds agree in sign/);
    assert.ok(readClaimsTables(md).every((c) => c.holds === true));
  });

  it('BatchNorm slower in every seed is called the opposite', () => {
    const runs = [0, 1, 2].flatMap((seed) => [icsRun('no norm', seed, (s) => (s === 0 ? 0.1 : 0.9), 1.4), icsRun('BatchNorm', seed, (s) => (s === 0 ? 0.1 : 0.6 + 0.01 * seed), 2)]);
    const md = icsSummary(runs, { ...ICS_PARAMS, seeds: 3 } as never);
    assert.match(md, /here BatchNorm learns slower, unlike in the paper/);
    assert.match(md, /not the steadier one in every seed/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [false, false]);
  });

  it('steps to 90 % are bracketed by the checkpoints around them', () => {
    assert.deepEqual(reachedBetween({ steps: [0, 833, 1666], testAccuracy: [0.1, 0.89, 0.91] }, 0.9), { after: 833, by: 1666 });
    assert.equal(reachedBetween({ steps: [0, 833], testAccuracy: [0.1, 0.5] }, 0.9), undefined);
    const runs = [icsRun('no norm', 0, (s) => (s >= 1666 ? 0.91 : 0.5), 1), icsRun('BatchNorm', 0, (s) => (s >= 1666 ? 0.95 : 0.5), 0.5)];
    assert.match(icsSummary(runs, { ...ICS_PARAMS, seeds: 1 } as never), /\| 0–1,666 \|/);
  });
});

function train(final: number, diverged = false): TrainResult {
  return diverged
    ? { steps: [], loss: [], testAccuracy: [], finalTestAccuracy: NaN, diverged: { step: 5, reason: 'Training diverged at step 5: loss is NaN.' } }
    : { steps: [250], loss: [0.3], testAccuracy: [final], finalTestAccuracy: final };
}

describe('learning-rate-sweep summary', () => {
  const lrs = [0.1, 1, 10];
  const params = { steps: 250, seeds: 2, depth: 6, width: 64, batchSize: 60, momentum: 0, init: 'he', testSize: 1000 };
  const bnRuns = (seed: number): LrRun[] => lrs.map((lr) => ({ arm: 'BatchNorm', lr, seed, result: train(lr === 10 ? 0.1 : 0.93) }));

  it('one of two seeds diverging at lr 1 is not "diverged at 1"', () => {
    const runs: LrRun[] = [
      ...[0, 1].flatMap((seed) => [{ arm: 'no norm', lr: 0.1, seed, result: train(0.88) }, { arm: 'no norm', lr: 10, seed, result: train(0, true) }]),
      { arm: 'no norm', lr: 1, seed: 0, result: train(0, true) },
      { arm: 'no norm', lr: 1, seed: 1, result: train(0.2) },
      ...bnRuns(0),
      ...bnRuns(1),
    ];
    const md = lrSummary(runs, lrs, 1, params);
    assert.match(md, /\*\*no norm\*\*: diverged in every seed at 10; diverged at 1 in 1 of 2 seeds;/);
    assert.doesNotMatch(md, /diverged at 1 and 10/);
    const claims = readClaimsTables(md);
    assert.equal(claims[0]!.holds, true, 'the seed that did not diverge ended at 20 %: it failed to train');
    assert.equal(claims[1]!.holds, true);
  });

  it('a no-norm seed that trains at lr 1 fails the high-rate claim', () => {
    const runs: LrRun[] = [
      ...[0, 1].flatMap((seed) => lrs.map((lr) => ({ arm: 'no norm', lr, seed, result: lr === 10 ? train(0, true) : train(seed === 1 && lr === 1 ? 0.9 : lr === 1 ? 0.2 : 0.88) }))),
      ...bnRuns(0),
      ...bnRuns(1),
    ];
    const claims = readClaimsTables(lrSummary(runs, lrs, 1, params));
    assert.equal(claims[0]!.holds, false);
    assert.match(claims[0]!.measured, /^3 of 4 runs at lr 1 and 10 failed/);
    assert.equal(claims[1]!.holds, false, 'seed 1 trains at lr 1 without BatchNorm: no 3× wider range');
  });
});

describe('feature-scales-training summary', () => {
  const params = { features: [[-1000, 1000], [-1, 1]] as [number, number][], steps: 2000, optimizer: 'sgd', lr: 0.01, seeds: 2, trainSize: 2000, testSize: 1000, majority: 0.55 };
  const run = (arm: string, seed: number, accuracy: number, topClassShare = 0.52): FsRun => ({ arm, seed, result: { ...train(accuracy), loss: [5e5, 0.6] }, topClassShare });
  const arms = ['no norm', 'BatchNorm', 'standardized inputs', 'hidden BatchNorm'];

  it('a run that predicts one class is called a collapse, not learning', () => {
    const runs = [0, 1].flatMap((seed) => [run('no norm', seed, 0.55, 1), run('BatchNorm', seed, 0.96), run('standardized inputs', seed, 0.98), run('hidden BatchNorm', seed, 0.55, 1)]);
    const md = fsSummary(runs, arms, params);
    assert.match(md, /collapsed to one class in all 2 seeds: it predicts the same class for every test example, so its 55\.0\s% \(2 seeds: 55\.0–55\.0\s%\) is the share of the class it predicts, not learning/);
    assert.match(md, /\| no norm \| .* \| 2 of 2 seeds \|/);
    assert.match(md, /BatchNorm in training mode standardizes each feature/);
    assert.ok(readClaimsTables(md).every((c) => c.holds === true));
  });

  it('one collapsed seed of two is reported as such, and a weak input BatchNorm is not a clear win', () => {
    const runs = [run('no norm', 0, 0.55, 1), run('no norm', 1, 0.8), run('BatchNorm', 0, 0.82), run('BatchNorm', 1, 0.79), run('standardized inputs', 0, 0.98), run('standardized inputs', 1, 0.98), run('hidden BatchNorm', 0, 0.8), run('hidden BatchNorm', 1, 0.8)];
    const md = fsSummary(runs, arms, params);
    assert.match(md, /collapsed to one class in 1 of 2 seeds/);
    assert.match(md, /does not clearly beat the raw features/);
    assert.match(md, /does not clearly do worse than BatchNorm on the input/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [false, false, false]);
  });
});
