// Comparisons, masks, scatter and the new pooling modules: the engine-specific choices the PyTorch
// fixtures cannot show (values, gradients and messages are checked in torch-differential.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from './imports';
import { F, nn, noGrad, tensor } from './imports';

test('comparison and logical results are 0/1 tensors that never require grad', () => {
  const x = tensor([[1, -2], [3, 0]], { requiresGrad: true });
  for (const m of [x.eq(0), E.gt(x, x.mul(2)), x.isfinite(), E.logicalNot(x), x.any(), E.all(x, 1), x.bool(), x.long()]) {
    assert.equal(m.requiresGrad, false);
    assert.equal(m.gradFn, null);
  }
  assert.deepEqual(E.ge(x, tensor([1, 0])).tolist(), [[1, 0], [1, 1]]);
});

test('accuracy the PyTorch way: eq(argmax(logits, 1), targets).float().mean().item()', () => {
  const logits = tensor([[0.1, 2, -1], [3, 0, 0.5], [0, 0, 4], [1, 2, 3]], { requiresGrad: true });
  const targets = tensor([1, 0, 2, 0]);
  assert.equal(E.eq(E.argmax(logits, 1), targets).float().mean().item(), 0.75);
  assert.equal(logits.argmax(1).eq(targets).sum().item(), 3);
});

test('float() is the tensor itself (one dtype); bool() and long() make new tensors', () => {
  const x = tensor([1.7, -1.7, 0, Number.NaN], { requiresGrad: true });
  assert.equal(x.float(), x);
  assert.deepEqual(x.bool().toArray(), [1, 1, 0, 1]);
  assert.deepEqual(x.long().toArray().slice(0, 3), [1, -1, 0]);
});

test('masks from comparisons drive where and maskedFill', () => {
  const x = tensor([[1, -2, 3], [-4, 5, -6]], { requiresGrad: true });
  const y = x.maskedFill(x.lt(0), 0);
  assert.deepEqual(y.toArray(), [1, 0, 3, 0, 5, 0]);
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [1, 0, 1, 0, 1, 0]);
  assert.deepEqual(E.where(x.gt(0).logicalAnd(x.lt(4)), x, -1).toArray(), [1, -1, 3, -1, -1, -1]);
});

test('maskedFill reads a 0/1 tensor as a boolean mask and refuses other values', () => {
  const x = tensor([5, 6, 7]);
  assert.deepEqual(x.maskedFill(tensor([0, 1, 0]), -1).toArray(), [5, -1, 7]);
  assert.throws(() => x.maskedFill(tensor([0, 0.5, 1]), 1), /only supports boolean masks/);
});

test('scatter gives src entries the index does not reach a zero gradient (PyTorch 1.13 raises)', () => {
  const x = E.zeros([2, 3], { requiresGrad: true });
  const src = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const y = E.scatter(x, 1, [[2, 0]], src);
  assert.deepEqual(y.tolist(), [[2, 0, 1], [0, 0, 0]]);
  y.mul(tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
  assert.deepEqual(src.grad!.tolist(), [[3, 1, 0], [0, 0, 0]]);
  assert.deepEqual(x.grad!.tolist(), [[0, 2, 0], [4, 5, 6]]);
});

test('indexAdd refuses source slices that differ from self (PyTorch 1.13 broadcasts them)', () => {
  assert.throws(() => E.zeros([2, 3]).indexAdd(0, [0, 1], E.ones([2, 1])), /source slice shape \[1\] must match self slice shape \[3\]/);
  assert.deepEqual(E.zeros([2, 3]).indexAdd(0, [1, 1], E.ones([2, 3])).tolist(), [[0, 0, 0], [2, 2, 2]]);
});

test('pooling modules hold their options and run under noGrad', () => {
  const x = E.arange(0, 32).reshape(1, 2, 4, 4);
  const avg = new nn.AvgPool2d(2, null, { countIncludePad: false });
  assert.deepEqual(avg.stride, 2);
  assert.deepEqual(noGrad(() => avg.forward(x)).shape, [1, 2, 2, 2]);
  assert.deepEqual(new nn.AdaptiveAvgPool2d([null, 1]).forward(x).shape, [1, 2, 4, 1]);
  const { output, indices } = new nn.AdaptiveMaxPool2d(1).forwardWithIndices(x);
  assert.deepEqual(output.toArray(), [15, 31]);
  assert.deepEqual(indices.toArray(), [15, 15]);
  assert.equal(new nn.AvgPool2d(3).parameters().length, 0);
  assert.deepEqual(F.adaptiveAvgPool2d(x, 1).toArray(), [7.5, 23.5]);
});
