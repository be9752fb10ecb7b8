// Autograd semantics: accumulation, shared subexpressions, noGrad, detach, retainGrad.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, noGrad, isGradEnabled, zeros, ones, full, arange, linspace, eye, Tensor } from './imports';

test('tensor() accepts flat arrays with a shape, Float32Array and nested arrays', () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual(a.shape, [2, 3]);
  assert.ok(a.data instanceof Float32Array);
  assert.deepEqual(a.tolist(), [[1, 2, 3], [4, 5, 6]]);
  const b = tensor(new Float32Array([1, 2]), [2, 1], { requiresGrad: true });
  assert.equal(b.requiresGrad, true);
  assert.deepEqual(tensor([[1, 2], [3, 4]]).shape, [2, 2]);
  assert.deepEqual(tensor(5).shape, []);
  assert.equal(tensor(5).item(), 5);
  assert.deepEqual(tensor([1, 2, 3]).shape, [3]);
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /invalid for input of size 3/);
  assert.throws(() => tensor([[1, 2], [3]]), /expected sequence of length 2/);
  // Data is copied.
  const src = new Float32Array([1, 2]);
  const c = tensor(src, [2]);
  src[0] = 9;
  assert.equal(c.data[0], 1);
});

test('factories', () => {
  assert.deepEqual(Array.from(zeros([2, 2]).data), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(ones(3).data), [1, 1, 1]);
  assert.deepEqual(Array.from(full([2], 7).data), [7, 7]);
  assert.deepEqual(Array.from(arange(5).data), [0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(arange(1, 2, 0.25).data), [1, 1.25, 1.5, 1.75]);
  assert.deepEqual(Array.from(linspace(0, 1, 5).data), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(eye(2).tolist(), [[1, 0], [0, 1]]);
});

test('gradients accumulate across backward calls and over shared subexpressions', () => {
  const x = tensor([1, 2, 3], [3], { requiresGrad: true });
  const y = x.mul(x).add(x); // dy/dx = 2x + 1, x used three times
  y.sum().backward();
  assert.deepEqual(Array.from(x.grad!.data), [3, 5, 7]);
  x.mul(2).sum().backward();
  assert.deepEqual(Array.from(x.grad!.data), [5, 7, 9]);
});

test('diamond graph: a node reached by two paths gets both contributions', () => {
  const x = tensor([2], [1], { requiresGrad: true });
  const a = x.exp();
  const b = a.mul(3).add(a.square()); // d/dx = 3e^x + 2e^{2x}
  b.sum().backward();
  const e = Math.exp(2);
  assert.ok(Math.abs(x.grad!.data[0] - (3 * e + 2 * e * e)) < 1e-3);
});

test('backward without a gradient needs a scalar; non-leaf grads need retainGrad', () => {
  const x = tensor([1, 2], [2], { requiresGrad: true });
  const y = x.mul(3);
  assert.throws(() => y.backward(), /scalar outputs/);
  const h = x.mul(2).retainGrad();
  const z = h.square().sum();
  z.backward();
  assert.deepEqual(Array.from(h.grad!.data), [4, 8]);
  const k = x.mul(2);
  k.sum().backward();
  assert.equal(k.grad, null);
  assert.throws(() => tensor([1]).backward(), /does not require grad/);
});

test('noGrad records no graph; detach cuts the graph', () => {
  const x = tensor([1, 2], [2], { requiresGrad: true });
  const y = noGrad(() => {
    assert.equal(isGradEnabled(), false);
    return x.mul(2);
  });
  assert.equal(isGradEnabled(), true);
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  const d = x.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.data, x.data); // shares storage like PyTorch
  assert.ok(x.mul(2).gradFn);
});

test('backward with an explicit gradient (vector-Jacobian product)', () => {
  const x = tensor([1, 2, 3], [3], { requiresGrad: true });
  x.square().backward(tensor([1, 0, -1]));
  assert.deepEqual(Array.from(x.grad!.data), [2, 0, -6]);
});

test('a deep chain does not overflow the stack', () => {
  const x = tensor([1], [1], { requiresGrad: true });
  let y: Tensor = x;
  for (let i = 0; i < 20000; i++) y = y.mul(1);
  y.sum().backward();
  assert.equal(x.grad!.data[0], 1);
});

test('reshape/view share storage; transpose copies', () => {
  const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.equal(x.view(3, 2).data, x.data);
  assert.deepEqual(x.transpose(0, 1).tolist(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(x.permute(1, 0).tolist(), [[1, 4], [2, 5], [3, 6]]);
  assert.throws(() => x.reshape(4, -1), /invalid for input of size 6/);
  assert.deepEqual(x.sum(1).tolist(), [6, 15]);
  assert.deepEqual(x.mean(0, true).tolist(), [[2.5, 3.5, 4.5]]);
  assert.deepEqual(x.argmax(1).tolist(), [2, 2]);
});
