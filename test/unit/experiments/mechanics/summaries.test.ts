// inference-statistics' and batch-renorm's summaries as pure functions of result numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readClaimsTables } from '../../../../src/experiments/claims';
import { closeFrom, summary as inferenceSummary, TEST_BATCH_SIZES, type InferenceResults } from '../../../../src/experiments/mechanics/inference-statistics';
import { summary as renormSummary, type Run } from '../../../../src/experiments/mechanics/batch-renorm';

/** Three seeds; train mode − eval mode per batch size from `gap(b, seed)`. */
function inference(gap: (b: number, seed: number) => number): InferenceResults {
  const evalAcc = [0.95, 0.953, 0.96];
  return {
    evalAcc,
    evalSameAcc: TEST_BATCH_SIZES.map(() => evalAcc),
    trainModeAcc: TEST_BATCH_SIZES.map((b) => evalAcc.map((v, s) => v + gap(b, s))),
    meanShift: TEST_BATCH_SIZES.map((b) => [0.8 / Math.sqrt(b), 0.81 / Math.sqrt(b), 0.79 / Math.sqrt(b)]),
    used: TEST_BATCH_SIZES.map((b) => Math.floor(2000 / b) * b),
  };
}

describe('inference-statistics summary', () => {
  it('"from batches of b on" holds at every larger size, not only the first that passes', () => {
    // Within 0.5 pp at 128 and 256, but one seed 0.515 pp off at 1024.
    const r = inference((b, s) => (b <= 32 ? -0.5 / b : b === 1024 && s === 2 ? -0.00515 : 0.001));
    assert.equal(closeFrom(r, 0.005), undefined);
    const md = inferenceSummary(r, [], { seeds: 3 });
    assert.doesNotMatch(md, /From batches of \d+ on/);
    assert.match(md, /Even at the largest test batches, train mode is more than 0\.5\spp from eval mode for some seed/);
    assert.match(md, /\| 1024 \| 1,024 \| .* \| −0\.1\spp \(−0\.51\spp to \+0\.1\spp\) \|/, 'the seed 0.515 pp off prints as −0.51, not −0.5');
    const fine = inference((b) => (b <= 32 ? -0.5 / b : 0.001));
    assert.equal(closeFrom(fine, 0.005), 64);
    assert.match(inferenceSummary(fine, [], { seeds: 3 }), /From batches of 64 on, train mode is within 0\.5\spp of eval mode for every seed at every batch size/);
  });

  it('checks its claims on both sides', () => {
    const good = readClaimsTables(inferenceSummary(inference((b) => (b <= 32 ? -0.5 / b : 0.001)), [], { seeds: 3 }));
    assert.deepEqual(good.map((c) => c.holds), [true, true, true]);
    const bad = inference((b, s) => (b === 2 ? -0.1 : b === 1024 && s === 0 ? 0.04 : 0));
    bad.meanShift[8] = [1, 1, 1];
    assert.deepEqual(readClaimsTables(inferenceSummary(bad, [], { seeds: 3 })).map((c) => c.holds), [false, false, false]);
  });

  it('says which digits each batch size compares', () => {
    const md = inferenceSummary(inference(() => 0), [], { seeds: 3 });
    assert.match(md, /\| 256 \| 1,792 \|/);
    assert.match(md, /Batches of 32, 64, 128, 256, 1024 do not divide the test set: the digits left over are left out of both modes there/);
  });
});

function renormRuns(acc: { bnIid: number; bnNon: number; brnIid: number; brnNon: number }, d: { iid: number; non: number }): Run[] {
  const make = (arm: 'BatchNorm' | 'Batch Renorm', classes: number, final: number, dValue?: number): Run => ({
    arm,
    classes,
    steps: [600],
    testAcc: [0, 1, 2].map((s) => [final + 0.003 * s]),
    finalR: dValue === undefined ? [] : [0, 1, 2].map(() => dValue / 2),
    finalD: dValue === undefined ? [] : [0, 1, 2].map((s) => dValue + 0.01 * s),
    diverged: [],
  });
  return [make('BatchNorm', 10, acc.bnIid), make('Batch Renorm', 10, acc.brnIid, d.iid), make('BatchNorm', 2, acc.bnNon), make('Batch Renorm', 2, acc.brnNon, d.non)];
}

describe('batch-renorm summary', () => {
  const params = { classesPerBatch: 2, seeds: 3, steps: 600, batchSize: 50, testSize: 2000 };

  it('words the closing sentence by |d| and |r − 1|, and the verdicts by the numbers', () => {
    const md = renormSummary(renormRuns({ bnIid: 0.95, bnNon: 0.84, brnIid: 0.95, brnNon: 0.91 }, { iid: 0.16, non: 0.36 }), params);
    assert.match(md, /Both are larger with 2-class batches in every seed/);
    assert.match(md, /changes by −11\.0\spp .*a clear effect/);
    assert.doesNotMatch(md, /\*\*Note:\*\*/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [true, true]);
  });

  it('with equal corrections and no gain, says so and the claims fail', () => {
    const md = renormSummary(renormRuns({ bnIid: 0.95, bnNon: 0.94, brnIid: 0.95, brnNon: 0.93 }, { iid: 0.2, non: 0.2 }), params);
    assert.match(md, /Neither is clearly larger with 2-class batches/);
    assert.doesNotMatch(md, /r and d correct each batch towards them/);
    assert.match(md, /\*\*Note:\*\*/);
    assert.deepEqual(readClaimsTables(md).map((c) => c.holds), [false, false]);
  });
});
