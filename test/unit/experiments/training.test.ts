import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Generator, randn, storageStats, tensor } from '../../../src/engine';
import { quietContext } from '../../../src/experiments/experiment';
import { BatchSampler, buildMlp, trainClassifier, type LabelledSet } from '../../../src/experiments/training';

function blobs(n: number, features: number, seed: number): LabelledSet {
  const generator = new Generator(seed);
  const x = randn([n, features], { generator });
  const y = tensor(Array.from({ length: n }, (_, i) => i % 3), [n]);
  for (let i = 0; i < n; i++) x.data[i * features + (i % 3)]! += 3;
  return { x, y };
}

describe('the shared training loop', () => {
  it('hands each step’s storage back to the engine: after the first steps nothing new is allocated', () => {
    const train = blobs(512, 64, 1);
    const model = buildMlp({ inputs: 64, hidden: [64, 64], outputs: 3, activation: 'sigmoid', norm: 'batch', generator: new Generator(2) });
    const created: number[] = [];
    const result = trainClassifier({
      model,
      train,
      steps: 40,
      batchSize: 32,
      optimizer: { kind: 'sgd', lr: 0.1 },
      generator: new Generator(3),
      context: quietContext(),
      afterStep: () => created.push(storageStats().created),
    });
    assert.equal(result.diverged, undefined);
    // Batches of 32 × 64 values and activations of the same size come from the pool.
    assert.ok(created[39]! > 0);
    assert.equal(created[39], created[4], `fresh buffers per step: ${created.join(' ')}`);
    assert.ok(result.loss.at(-1)! < result.loss[0]!, `the loss went down: ${result.loss.join(' ')}`);
  });

  it('the sampler writes each batch’s rows, in a fresh order every epoch, without touching the set', () => {
    const set = blobs(10, 1200, 4);
    const before = set.x.data.slice();
    const sampler = new BatchSampler(set, 4, new Generator(5));
    const seen: number[] = [];
    for (let b = 0; b < 4; b++) {
      const { x, y, rows } = sampler.next();
      assert.deepEqual(x.shape, [4, 1200]);
      rows.forEach((row, i) => {
        assert.deepEqual(x.data.subarray(i * 1200, (i + 1) * 1200), set.x.data.subarray(row * 1200, (row + 1) * 1200));
        assert.equal(y.data[i], set.y.data[row]);
      });
      seen.push(...rows);
    }
    // Two batches of 4 per epoch of 10 (the last 2 rows of an epoch are dropped): each epoch's rows are distinct.
    assert.equal(new Set(seen.slice(0, 8)).size, 8);
    assert.equal(new Set(seen.slice(8, 16)).size, 8);
    assert.deepEqual(set.x.data, before);
  });
});
