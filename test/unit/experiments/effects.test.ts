import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClaims, claimsTable, readClaimsTables } from '../../../src/experiments/claims';
import { accuracyResolution, describeEffect, pairedEffect, t95, tInterval, twoSidedEffect } from '../../../src/experiments/effects';
import { fixed, pct, pp, ppAgainst } from '../../../src/experiments/numbers';

describe('effects over seeds', () => {
  it('uses Student t quantiles for the 95 % interval of the mean', () => {
    assert.equal(t95(2), 4.303);
    assert.ok(Math.abs(t95(200) - 1.972) < 0.002, String(t95(200)));
    // mean 2, sample std 1, n 3: 2 ± 4.303 / √3
    const [lo, hi] = tInterval([1, 2, 3])!;
    assert.ok(Math.abs(lo - (2 - 4.303 / Math.sqrt(3))) < 1e-12 && Math.abs(hi - (2 + 4.303 / Math.sqrt(3))) < 1e-12);
    assert.equal(tInterval([1, 2]), undefined, 'no interval with two seeds');
  });

  it('calls a difference clear only when every seed agrees, it beats the resolution and the interval excludes 0', () => {
    assert.equal(pairedEffect([0.5, 0.5, 0.5], [0.6, 0.61, 0.59]).verdict, 'clear');
    assert.equal(pairedEffect([0.5, 0.5, 0.5], [0.4, 0.39, 0.41]).verdict, 'opposite');
    assert.equal(pairedEffect([0.5, 0.5, 0.5], [0.52, 0.49, 0.51]).verdict, 'noise', 'the sign changes');
    // Same sign, but one seed far out: the t-interval (n = 3) includes 0.
    assert.equal(pairedEffect([0, 0, 0], [0.001, 0.002, 0.3]).verdict, 'noise');
    // Below the resolution: a 0.4-point gap on 1,000 digits is within the test set's sampling error.
    const res = accuracyResolution(0.92, 0.924, 1000);
    assert.ok(res > 0.02 && res < 0.03, String(res));
    assert.equal(pairedEffect([0.92], [0.924], { resolution: res }).verdict, 'noise');
    assert.match(describeEffect(pairedEffect([0.92], [0.924], { resolution: res })), /^\+0\.4\spp \(one seed\), within the noise: smaller than the test set’s sampling error/);
    assert.equal(pairedEffect([0.5, 0.5], [0.4, 0.39], { direction: -1 }).verdict, 'clear', 'an expected loss');
    assert.equal(twoSidedEffect([0.5, 0.5, 0.5], [0.4, 0.39, 0.41]).verdict, 'clear', 'a clear difference either way');
  });

  it('words the numbers: mean, seed range and the named interval', () => {
    const text = describeEffect(pairedEffect([0.5, 0.5, 0.5], [0.6, 0.61, 0.59]));
    assert.match(text, /^\+10\.0\spp \(3 seeds: \+9\.0\spp to \+11\.0\spp; 95\s% t-interval of the mean paired difference \+7\.5\spp to \+12\.5\spp\), a clear effect: all 3 seeds agree in sign, and the 95\s% interval excludes 0$/);
    assert.match(describeEffect(pairedEffect([0.5, 0.5], [0.52, 0.49])), /within the seed noise: the sign changes from seed to seed/);
  });
});

describe('numbers for prose', () => {
  it('never prints a negative zero', () => {
    assert.equal(fixed(-0.001, 2), '0.00');
    assert.equal(fixed(-0.004, 2), '0.00');
    assert.equal(fixed(-0.006, 2), '-0.01');
    assert.equal(pct(-0.00001), '0.0 %');
    assert.equal(pp(-0.0004), '0.0 pp');
  });

  it('keeps enough digits that a rounded value stays on its side of a threshold', () => {
    assert.equal(pp(-0.00528), '−0.5 pp', 'plain rounding lands on the threshold');
    assert.equal(ppAgainst(-0.00528, [0.005]), '−0.53 pp');
    assert.equal(ppAgainst(0.00515, [0.005]), '+0.52 pp');
    assert.equal(ppAgainst(0.012, [0.005]), '+1.2 pp', 'far from the threshold, the usual digits');
  });
});

describe('claims as checks', () => {
  const claims = [
    { claim: 'the gap is ≥ 15 points in every seed', check: (r: number[]) => ({ measured: `gaps ${r.join(', ')} | per seed`, holds: r.every((g) => g >= 15) }) },
    { claim: 'needs lr ≥ 1', check: () => ({ measured: 'no lr ≥ 1', holds: undefined }) },
  ];

  it('evaluates each predicate into claim / measured / holds', () => {
    assert.deepEqual(checkClaims(claims, [20, 16]).map((c) => c.holds), [true, null]);
    assert.deepEqual(checkClaims(claims, [20, 14]).map((c) => c.holds), [false, null]);
  });

  it('writes a table that reads back the same, with | in the text', () => {
    for (const results of [[20, 16], [20, 14]]) {
      const evaluated = checkClaims(claims, results);
      const markdown = `Some summary.\n\n${claimsTable(evaluated)}\n\nMore text | not a claim.`;
      assert.deepEqual(readClaimsTables(markdown), evaluated);
    }
    assert.deepEqual(readClaimsTables('no claims here\n| a | b | c |'), []);
  });
});
