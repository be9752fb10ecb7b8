// init-sensitivity's, noisy-batchnorm's and loss-landscape's summaries as pure functions of result numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readClaimsTables } from '../../../../src/experiments/claims';
import { summary as initSummary } from '../../../../src/experiments/robustness/init-sensitivity';
import { summary as noisySummary, type ArmRun } from '../../../../src/experiments/robustness/noisy-batchnorm';
import { summary as landscapeSummary, type Run as LandscapeRun } from '../../../../src/experiments/robustness/loss-landscape';
import type { TrainResult } from '../../../../src/experiments/training';

const result = (accuracy: number, loss = 0.3): TrainResult => ({ steps: [100, 200], loss: [loss * 2, loss], testAccuracy: [accuracy, accuracy], finalTestAccuracy: accuracy });
const diverged = (): TrainResult => ({ steps: [], loss: [], testAccuracy: [], finalTestAccuracy: NaN, diverged: { step: 3, reason: 'Training diverged at step 3: loss is NaN.' } });

describe('init-sensitivity summary', () => {
  const scales = [0.001, 0.1, 10];
  const params = { steps: 300, seeds: 2, activation: 'relu', scaled: 'hidden layers', lr: 0.05 };

  it('BatchNorm training at every scale and no norm failing at both ends: the claims hold', () => {
    const results = [
      [[result(0.12), result(0.12)], [result(0.9), result(0.91)], [diverged(), result(0.1)]],
      [[result(0.92), result(0.91)], [result(0.94), result(0.94)], [result(0.8), result(0.79)]],
    ];
    const md = initSummary(params, scales, results);
    assert.match(md, /BatchNorm widens the range of initial scales that train/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [true, true]);
  });

  it('a no-norm seed that trains at the smallest scale, or BatchNorm failing at the largest, fails the claims', () => {
    const results = [
      [[result(0.12), result(0.85)], [result(0.9), result(0.91)], [diverged(), diverged()]],
      [[result(0.92), result(0.91)], [result(0.94), result(0.94)], [result(0.3), result(0.79)]],
    ];
    const claims = readClaimsTables(initSummary(params, scales, results));
    assert.deepEqual(claims.map((c) => c.holds), [false, false]);
    assert.match(claims[0]!.measured, /worst run 30\.0\s%; below 50\s% at std 10/);
    assert.match(claims[1]!.measured, /std 1e-3: 1 of 2 failed/);
  });
});

function noisyRun(loss: number, meanShift: number): ArmRun {
  return { result: result(0.9, loss), probeSteps: [1], probe: [[0], [0], [0]], meanShift, stdShift: meanShift / 2 };
}

describe('noisy-batchnorm summary', () => {
  const params = { steps: 1000, seeds: 3, maxScale: 3, maxShift: 1.5, lr: 0.05 };

  it('more shift and still a lower loss than no norm in every seed: as Santurkar et al.', () => {
    const runs = [[noisyRun(0.9, 0.045), noisyRun(0.8, 0.05), noisyRun(1.1, 0.04)], [noisyRun(0.08, 0), noisyRun(0.06, 0), noisyRun(0.1, 0)], [noisyRun(0.21, 1), noisyRun(0.18, 1), noisyRun(0.23, 1)]];
    const md = noisySummary(params, 3, runs);
    assert.match(md, /As in Santurkar et al\. \(2018, Fig\. 2\)/);
    assert.match(md, /Noisy BN is slower than plain BatchNorm here/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [true, true]);
  });

  it('a noisy BN that does not clearly beat no norm is not "as the literature says"', () => {
    const runs = [[noisyRun(0.2, 0.045), noisyRun(0.25, 0.05), noisyRun(0.2, 0.04)], [noisyRun(0.08, 0), noisyRun(0.06, 0), noisyRun(0.1, 0)], [noisyRun(0.21, 1), noisyRun(0.18, 1), noisyRun(0.23, 1)]];
    const md = noisySummary(params, 3, runs);
    assert.match(md, /\*\*Not as the literature says:\*\* noisy BN did not clearly train better than no norm/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [true, false]);
  });
});

function landscapeRun(lossRange: number, gradChange: number): LandscapeRun {
  return { result: result(0.9), checkpoints: [1, 2].map((step) => ({ step, losses: [0.5, 0.5 + lossRange], gradChanges: [0, gradChange], beta: gradChange * 2, gradNorm: 1 })) };
}

describe('loss-landscape summary', () => {
  const params = { steps: 1000, seeds: 2, stepMin: 0.05, stepMax: 0.4, lr: 0.05 };

  it('smoother with BatchNorm in every seed: the claims hold', () => {
    const md = landscapeSummary(params, [[landscapeRun(3, 14), landscapeRun(2.5, 12)], [landscapeRun(0.14, 1.1), landscapeRun(0.2, 1.3)]]);
    assert.match(md, /the BatchNorm network’s landscape is smoother along the gradient/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [true, true]);
  });

  it('one seed rougher with BatchNorm fails the claim for that measure', () => {
    const md = landscapeSummary(params, [[landscapeRun(3, 14), landscapeRun(0.1, 12)], [landscapeRun(0.14, 1.1), landscapeRun(0.2, 1.3)]]);
    const claims = readClaimsTables(md);
    assert.deepEqual(claims.map((c) => c.holds), [false, true]);
    assert.match(claims[0]!.measured, /larger without BatchNorm in 1 of 2 seeds/);
  });
});
