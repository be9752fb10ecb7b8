import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualSeed, nn, randn, tensor } from '../../../src/engine';
import { checkLoss, DivergenceError, firstNonFinite, forwardChecked } from '../../../src/experiments/divergence';

describe('divergence guards', () => {
  it('finds NaN and infinities, and nothing in finite values', () => {
    assert.equal(firstNonFinite(new Float32Array([1, -2, 3e38])), undefined);
    assert.ok(Number.isNaN(firstNonFinite(new Float32Array([0, NaN, 1]))));
    assert.equal(firstNonFinite(new Float32Array([0, -Infinity])), -Infinity);
    // Every position of a longer array (the sums run over blocks of four, then the tail), and the first of several.
    for (let n = 1; n <= 11; n++) {
      for (let at = 0; at < n; at++) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const values = new Float32Array(n).map((_, i) => (i - 5) * 1e37);
          values[at] = bad;
          if (at + 2 < n) values[at + 2] = NaN;
          assert.ok(Object.is(firstNonFinite(values), bad), `n ${n}, at ${at}, ${bad}`);
        }
      }
      assert.equal(firstNonFinite(new Float32Array(n).fill(-3.4e38)), undefined);
    }
    assert.equal(firstNonFinite(new Float32Array(0)), undefined);
  });

  it('names the step and the loss', () => {
    assert.throws(() => checkLoss(tensor([NaN], []), 812), (error: Error) => {
      assert.ok(error instanceof DivergenceError);
      assert.equal(error.message, 'Training diverged at step 812: the loss became NaN.');
      return true;
    });
    checkLoss(tensor([0.5], []), 1);
  });

  it('names the first layer of a Sequential whose output is not finite', () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const x = randn([5, 3]);
    assert.deepEqual(forwardChecked(model, x, 1).shape, [5, 2]);
    (model.at(2) as nn.Linear).weight.data[0] = Infinity;
    assert.throws(() => forwardChecked(model, x, 7), /^DivergenceError: Training diverged at step 7: the output of layer 2 \(Linear\) became (NaN|[+-]Infinity)\.$/);
    (model.at(0) as nn.Linear).bias!.data[1] = NaN;
    assert.throws(() => forwardChecked(model, x, 8), /layer 0 \(Linear\) became NaN/);
  });

  it('an activation is checked when it is the first layer, whose input nobody checked', () => {
    const model = new nn.Sequential(new nn.Sigmoid(), new nn.Linear(2, 2));
    assert.throws(() => forwardChecked(model, tensor([[NaN, 0]]), 3), /layer 0 \(Sigmoid\) became NaN/);
  });
});
