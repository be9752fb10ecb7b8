// regularization's and gamma-beta-placement's summaries as pure functions of result numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readClaimsTables } from '../../../../src/experiments/claims';
import { summary as regularizationSummary, type ArmRuns } from '../../../../src/experiments/mechanics/regularization';
import { summary as gammaSummary, type Runs } from '../../../../src/experiments/mechanics/gamma-beta-placement';

const REG_ARMS = [
  { name: 'no norm', norm: 'none' as const, dropout: false },
  { name: 'BatchNorm', norm: 'batch' as const, dropout: false },
  { name: 'dropout', norm: 'none' as const, dropout: true },
  { name: 'BN + dropout', norm: 'batch' as const, dropout: true },
];
const regParams = { trainSize: 1000, testSize: 2000, steps: 400, batchSize: 50, seeds: 3, dropout: 0.5 };

function regRuns(test: number[][], train = 1): ArmRuns[] {
  return REG_ARMS.map((arm, a) => ({ arm, steps: [400], trainAcc: test[a]!.map(() => [train]), testAcc: test[a]!.map((v) => [v]), loss: test[a]!.map(() => [0.01]), diverged: [] }));
}

describe('regularization summary', () => {
  it('a consistent BatchNorm gain beyond the sampling error is a clear difference; the claims hold', () => {
    const md = regularizationSummary(regRuns([[0.885, 0.884, 0.886], [0.908, 0.906, 0.91], [0.88, 0.89, 0.87], [0.89, 0.89, 0.89]]), regParams);
    assert.match(md, /BatchNorm changes the test accuracy by \+2\.3\spp \(3 seeds: \+2\.2\spp to \+2\.4\spp; 95\s% t-interval [^)]+\) against no normalization, a clear difference/);
    assert.match(md, /Dropout \(p = 0\.5\) changes the test accuracy by [^,]+, within the seed noise: the sign changes/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [true, true]);
  });

  it('a gain within the test set’s sampling error is not one, and a seed that loses fails the claim', () => {
    const md = regularizationSummary(regRuns([[0.885, 0.884, 0.886], [0.89, 0.882, 0.891], [0.88, 0.89, 0.87], [0.89, 0.89, 0.89]]), regParams);
    assert.match(md, /against no normalization, within the seed noise: the sign changes from seed to seed/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [false, false]);
  });
});

function gammaRuns(finals: number[][], gammaMean: number, betaMean: number): Runs[] {
  const arms = [
    { name: 'BN before activation', placement: 'before-activation' as const, affine: true },
    { name: 'BN after activation', placement: 'after-activation' as const, affine: true },
    { name: 'BN before activation, no γ/β', placement: 'before-activation' as const, affine: false },
    { name: 'BN after activation, no γ/β', placement: 'after-activation' as const, affine: false },
  ];
  return arms.map((arm, a) => ({
    arm,
    steps: [600],
    testAcc: finals[a]!.map((v) => [v]),
    loss: finals[a]!.map(() => [0.3]),
    gamma: arm.affine ? [[gammaMean - 0.001, gammaMean + 0.001]] : [[]],
    beta: arm.affine ? [[betaMean - 0.001, betaMean + 0.001]] : [[]],
    diverged: [],
  }));
}

describe('gamma-beta-placement summary', () => {
  const params = { activation: 'sigmoid', seeds: 3, steps: 600, testSize: 2000 };

  it('prints a β that rounds to zero without a sign', () => {
    const md = gammaSummary(gammaRuns([[0.9, 0.91, 0.92], [0.94, 0.95, 0.96], [0.9, 0.91, 0.92], [0.94, 0.95, 0.96]], 1.14, -0.003), params);
    assert.match(md, /\| 1\.14 ± 0\.00 \| 0\.00 ± 0\.00 \|/);
    assert.doesNotMatch(md, /-0\.00/);
    assert.equal(readClaimsTables(md)[0]!.holds, true, 'γ moved 0.14 from 1');
    const unmoved = gammaSummary(gammaRuns([[0.9, 0.91, 0.92], [0.94, 0.95, 0.96], [0.9, 0.91, 0.92], [0.94, 0.95, 0.96]], 1.02, 0), params);
    assert.equal(readClaimsTables(unmoved)[0]!.holds, false, 'γ within 0.05 of 1');
  });

  it('words each comparison by its verdict', () => {
    const md = gammaSummary(gammaRuns([[0.9, 0.91, 0.92], [0.94, 0.95, 0.96], [0.902, 0.905, 0.925], [0.94, 0.951, 0.959]], 1.1, 0.01), params);
    assert.match(md, /Moving BN after the sigmoid changes it by \+4\.0\spp \(3 seeds[^)]+\) \(a clear difference: all 3 seeds agree in sign/);
    assert.match(md, /Learned γ and β change the final accuracy by [^(]+\(3 seeds[^)]+\) with BN before the sigmoid \(within the seed noise: the sign changes/);
  });
});
