// Joining, slicing and indexing: the engine-specific choices the PyTorch fixtures cannot show
// (values and PyTorch's behaviour are checked in torch-differential.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from './imports';
import { noGrad, tensor } from './imports';

test('slices and pieces are copies, not views', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  const s = E.slice(x, 1, 1);
  const [p] = x.split(1, 0);
  s.data[0] = 99;
  p.data[0] = 99;
  assert.deepEqual(x.toArray(), [1, 2, 3, 4, 5, 6]);
});

test('indexSelect on a 0-d tensor takes exactly one index (PyTorch 1.13 accepts any)', () => {
  const s = tensor(5);
  assert.deepEqual(E.indexSelect(s, 0, [0]).shape, []);
  assert.deepEqual(E.indexSelect(s, -1, tensor(0)).toArray(), [5]);
  assert.throws(() => E.indexSelect(s, 0, [0, 0]), /Index to scalar can have only 1 value, got 2 value\(s\)/);
  assert.throws(() => E.indexSelect(s, 0, []), /got 0 value\(s\)/);
});

test('where reads a tensor of 0/1 values as a boolean condition, and refuses other values', () => {
  const a = tensor([1, 2, 3]);
  assert.deepEqual(E.where(tensor([1, 0, 1]), a, -1).toArray(), [1, -1, 3]);
  assert.deepEqual(E.where([false, true, false], a, tensor(0)).toArray(), [0, 2, 0]);
  assert.deepEqual(E.where(true, a, 0).toArray(), [1, 2, 3]);
  assert.throws(() => E.where(tensor([1, Number.NaN, 0]), a, a), /boolean tensor/);
  assert.throws(() => E.where(tensor([1, 2, 0]), a, a), /boolean tensor/);
});

test('non-integer positions are refused', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.throws(() => E.slice(x, 1, 0.5), /slice indices must be integers/);
  assert.throws(() => x.select(0, 0.5), /out of range/);
  assert.throws(() => x.narrow(1, 0, 1.5), /exceeds dimension size/);
  assert.throws(() => x.gather(1, tensor([[0.5]])), /Expected dtype int64/);
});

test('cat records gradients only for inputs that require them; noGrad records none', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3]);
  const y = E.cat([a, b, a]);
  y.backward(tensor([1, 10, 100, 1000, 10000]));
  assert.deepEqual(a.grad!.toArray(), [1 + 1000, 10 + 10000]);
  assert.equal(b.grad, null);
  const z = noGrad(() => E.stack([a, a]));
  assert.equal(z.requiresGrad, false);
  assert.equal(z.gradFn, null);
});

test('maximum/minimum keep the first argument on equal values and propagate NaN', () => {
  const m = E.maximum(tensor([-0, 0, Number.NaN, 1]), tensor([0, -0, 1, Number.NaN]));
  assert.ok(Object.is(m.data[0], -0) && Object.is(m.data[1], 0));
  assert.ok(Number.isNaN(m.data[2]) && Number.isNaN(m.data[3]));
  const n = E.minimum(tensor([0, -0]), tensor([-0, 0]));
  assert.ok(Object.is(n.data[0], 0) && Object.is(n.data[1], -0));
});
