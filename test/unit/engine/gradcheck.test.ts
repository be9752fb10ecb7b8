// Finite-difference checks of every differentiable op. The engine computes in float32, so the
// loss L = Σ w·f(x) is accumulated in float64 and differentiated with central differences
// (h = 1e-2) on small, well-conditioned inputs; tolerances (atol 2e-3, rtol 2e-2) sit well above
// float32 noise and O(h²) truncation but far below the O(1) error of a wrong gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from './imports';
import { F, Generator, noGrad, tensor, type Tensor } from './imports';

interface CheckOptions {
  h?: number;
  atol?: number;
  rtol?: number;
}

function gradcheck(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: CheckOptions = {}): void {
  const h = opts.h ?? 1e-2;
  const atol = opts.atol ?? 2e-3;
  const rtol = opts.rtol ?? 2e-2;
  for (const x of inputs) x.requiresGrad = true;
  const y = fn(...inputs);
  const g = new Generator(99);
  const w = Float64Array.from({ length: y.data.length }, () => g.nextFloat64() * 2 - 1);
  const loss = (out: Tensor): number => {
    let s = 0;
    for (let i = 0; i < out.data.length; i++) s += w[i] * out.data[i];
    return s;
  };
  y.backward(tensor(Float32Array.from(w), y.shape));
  let checked = 0;
  inputs.forEach((x, k) => {
    const analytic = x.grad ? x.grad.data : new Float32Array(x.data.length);
    for (let j = 0; j < x.data.length; j++) {
      const orig = x.data[j];
      x.data[j] = orig + h;
      const xp = x.data[j];
      const lp = noGrad(() => loss(fn(...inputs)));
      x.data[j] = orig - h;
      const xm = x.data[j];
      const lm = noGrad(() => loss(fn(...inputs)));
      x.data[j] = orig;
      const numeric = (lp - lm) / (xp - xm);
      const err = Math.abs(numeric - analytic[j]);
      assert.ok(err <= atol + rtol * Math.abs(numeric), `${name}: d/dx${k}[${j}] analytic ${analytic[j]} vs numeric ${numeric}`);
      checked++;
    }
  });
  assert.ok(checked > 0);
}

function r(shape: number[], seed: number, scale = 1, shift = 0): Tensor {
  const t = E.randn(shape, { generator: new Generator(seed) });
  for (let i = 0; i < t.data.length; i++) t.data[i] = t.data[i] * scale + shift;
  return t;
}

/** Values bounded away from 0 (for kinks: relu, abs, clamp). */
function awayFromZero(shape: number[], seed: number): Tensor {
  const t = r(shape, seed);
  for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sign(t.data[i] || 1) * (0.1 + Math.abs(t.data[i]));
  return t;
}

function positive(shape: number[], seed: number): Tensor {
  const t = E.rand(shape, { generator: new Generator(seed) });
  for (let i = 0; i < t.data.length; i++) t.data[i] += 0.5;
  return t;
}

const cases: [string, () => void][] = [
  ['add broadcast', () => gradcheck('add', (a, b) => a.add(b), [r([3, 4], 1), r([4], 2)])],
  ['add alpha', () => gradcheck('add alpha', (a, b) => E.add(a, b, 0.5), [r([3], 1), r([3], 2)])],
  ['sub broadcast', () => gradcheck('sub', (a, b) => a.sub(b), [r([2, 3, 1], 1), r([1, 4], 2)])],
  ['mul broadcast', () => gradcheck('mul', (a, b) => a.mul(b), [r([2, 3, 2], 1), r([3, 1], 2)])],
  ['div broadcast', () => gradcheck('div', (a, b) => a.div(b), [r([3, 4], 1), positive([4], 2)])],
  ['scalar ops', () => gradcheck('scalar', (a) => E.div(2, E.sub(3, a.mul(0.5).add(1)).div(4)), [r([5], 3, 0.3)])],
  ['neg', () => gradcheck('neg', (a) => a.neg(), [r([4], 1)])],
  ['exp', () => gradcheck('exp', (a) => a.exp(), [r([6], 1)])],
  ['log', () => gradcheck('log', (a) => a.log(), [positive([6], 1)])],
  ['sqrt', () => gradcheck('sqrt', (a) => a.sqrt(), [positive([6], 1)])],
  ['rsqrt', () => gradcheck('rsqrt', (a) => a.rsqrt(), [positive([6], 1)])],
  ['pow scalar', () => gradcheck('pow', (a) => a.pow(3), [r([6], 1)])],
  ['pow fractional', () => gradcheck('pow', (a) => a.pow(-1.5), [positive([6], 1)])],
  ['pow tensor', () => gradcheck('pow t', (a, b) => a.pow(b), [positive([2, 3], 1), r([2, 3], 2)])],
  ['abs', () => gradcheck('abs', (a) => a.abs(), [awayFromZero([6], 1)])],
  ['square', () => gradcheck('square', (a) => a.square(), [r([6], 1)])],
  ['relu', () => gradcheck('relu', (a) => a.relu(), [awayFromZero([8], 1)])],
  ['leakyRelu', () => gradcheck('leakyRelu', (a) => F.leakyRelu(a, 0.2), [awayFromZero([8], 1)])],
  ['sigmoid', () => gradcheck('sigmoid', (a) => a.sigmoid(), [r([8], 1, 2)])],
  ['tanh', () => gradcheck('tanh', (a) => a.tanh(), [r([8], 1)])],
  ['clamp', () => gradcheck('clamp', (a) => a.clamp(-0.5, 0.5), [awayFromZero([8], 4)].map((t) => { for (let i = 0; i < t.data.length; i++) if (Math.abs(Math.abs(t.data[i]) - 0.5) < 0.05) t.data[i] *= 1.3; return t; }))],
  ['softmax', () => gradcheck('softmax', (a) => a.softmax(1), [r([3, 4], 1)])],
  ['softmax dim 0 of 3d', () => gradcheck('softmax0', (a) => a.softmax(0), [r([3, 2, 2], 1)])],
  ['logSoftmax', () => gradcheck('logSoftmax', (a) => a.logSoftmax(-1), [r([3, 4], 1)])],
  ['matmul 2d', () => gradcheck('mm', (a, b) => a.matmul(b), [r([3, 4], 1), r([4, 2], 2)])],
  ['matmul batched broadcast', () => gradcheck('bmm', (a, b) => a.matmul(b), [r([2, 1, 3, 4], 1), r([3, 4, 2], 2)])],
  ['matmul vector', () => gradcheck('mv', (a, b) => a.matmul(b), [r([3, 4], 1), r([4], 2)])],
  ['matmul dot', () => gradcheck('dot', (a, b) => a.matmul(b), [r([4], 1), r([4], 2)])],
  ['sum dims', () => gradcheck('sum', (a) => a.sum([0, 2], true), [r([2, 3, 4], 1)])],
  ['mean dim', () => gradcheck('mean', (a) => a.mean(1), [r([2, 3, 4], 1)])],
  ['var', () => gradcheck('var', (a) => a.var(0), [r([5, 3], 1)])],
  ['std biased', () => gradcheck('std', (a) => a.std(1, { unbiased: false }), [r([3, 5], 1)])],
  ['max', () => gradcheck('max', (a) => a.max(), [r([7], 1)])],
  ['min', () => gradcheck('min', (a) => a.min(), [r([7], 2)])],
  ['max along a dim', () => gradcheck('max dim', (a) => a.max(1).values, [r([3, 5, 2], 1)])],
  ['min along a dim keepdim', () => gradcheck('min dim', (a) => a.min(-1, true).values, [r([4, 3], 2)])],
  ['reshape/flatten/unsqueeze/squeeze', () => gradcheck('views', (a) => a.reshape([3, -1]).unsqueeze(0).flatten(1).squeeze(0).view(3, 4).mul(a.reshape([3, 4])), [r([2, 6], 1)])],
  ['transpose', () => gradcheck('transpose', (a) => a.transpose(0, 2).mul(r([4, 3, 2], 5)), [r([2, 3, 4], 1)])],
  ['permute', () => gradcheck('permute', (a) => a.permute(2, 0, 1).square(), [r([2, 3, 4], 1)])],
  ['expand', () => gradcheck('expand', (a) => a.expand(2, 3, 4).square(), [r([3, 1], 1)])],
  ['clone', () => gradcheck('clone', (a) => a.clone().square(), [r([3], 1)])],
  ['linear', () => gradcheck('linear', (x, w, b) => F.linear(x, w, b), [r([3, 4], 1), r([2, 4], 2), r([2], 3)])],
  ['conv2d', () => gradcheck('conv2d', (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }), [r([2, 2, 5, 4], 1), r([3, 2, 3, 3], 2), r([3], 3)])],
  ['conv2d dilation', () => gradcheck('conv2d dil', (x, w) => F.conv2d(x, w, null, { dilation: 2, padding: [1, 0] }), [r([1, 2, 5, 5], 1), r([2, 2, 2, 2], 2)])],
  ['maxPool2d', () => gradcheck('maxpool', (x) => F.maxPool2d(x, 2), [r([1, 2, 4, 4], 1)])],
  ['maxPool2d padding dilation ceilMode', () => gradcheck('maxpool opts', (x) => F.maxPool2d(x, 3, 2, { padding: 1, dilation: [1, 2], ceilMode: true }), [r([1, 2, 6, 7], 1)])],
  ['conv2d groups', () => gradcheck('conv2d groups', (x, w, b) => F.conv2d(x, w, b, { groups: 2, padding: 1 }), [r([2, 4, 4, 3], 1), r([6, 2, 3, 2], 2), r([6], 3)])],
  ['batchNorm train', () => gradcheck('bn', (x, w, b) => F.batchNorm(x, null, null, w, b, true), [r([4, 3], 1, 2, 1), r([3], 2, 0.5, 1), r([3], 3)])],
  ['batchNorm train 4d', () => gradcheck('bn2d', (x, w, b) => F.batchNorm(x, null, null, w, b, true), [r([2, 2, 2, 2], 1), r([2], 2, 0.5, 1), r([2], 3)])],
  ['batchNorm eval', () => gradcheck('bn eval', (x, w, b) => F.batchNorm(x, tensor([0.1, -0.2]), tensor([1.5, 0.7]), w, b, false), [r([3, 2], 1), r([2], 2), r([2], 3)])],
  ['layerNorm', () => gradcheck('ln', (x, w, b) => F.layerNorm(x, [2, 3], w, b), [r([2, 2, 3], 1), r([2, 3], 2, 0.5, 1), r([2, 3], 3)])],
  ['groupNorm', () => gradcheck('gn', (x, w, b) => F.groupNorm(x, 2, w, b), [r([2, 4, 3], 1), r([4], 2, 0.5, 1), r([4], 3)])],
  ['instanceNorm', () => gradcheck('in', (x, w, b) => F.instanceNorm(x, null, null, w, b, true), [r([2, 3, 4], 1), r([3], 2, 0.5, 1), r([3], 3)])],
  ['crossEntropy', () => gradcheck('ce', (x) => F.crossEntropy(x, [0, 2, 1]), [r([3, 4], 1)])],
  ['crossEntropy label smoothing', () => gradcheck('ce ls', (x) => F.crossEntropy(x, [0, 2, 1], { labelSmoothing: 0.2, reduction: 'sum' }), [r([3, 4], 1)])],
  ['crossEntropy weight label smoothing', () => gradcheck('ce w', (x) => F.crossEntropy(x, [0, 2, 1], { weight: tensor([0.5, 2, 1, 3]), labelSmoothing: 0.2 }), [r([3, 4], 1)])],
  ['nllLoss', () => gradcheck('nll', (x) => F.nllLoss(x, [1, 0], { reduction: 'none' }), [r([2, 3], 1)])],
  ['mseLoss', () => gradcheck('mse', (a, b) => F.mseLoss(a, b), [r([3, 2], 1), r([3, 2], 2)])],
  ['l1Loss', () => gradcheck('l1', (a, b) => F.l1Loss(a, b), [r([3, 2], 1), r([3, 2], 2, 1, 5)])],
  ['cat', () => gradcheck('cat', (a, b, c) => E.cat([a, b, a, c], -1), [r([2, 3], 1), r([2, 1], 2), r([2, 0], 3)])],
  ['stack', () => gradcheck('stack', (a, b) => E.stack([a, b, a], 1), [r([2, 3], 1), r([2, 3], 2)])],
  ['split (pieces recombined)', () => gradcheck('split', (a) => { const [p, q, s] = a.split([1, 2, 1], 1); return q.mul(p).add(s.square()); }, [r([3, 4], 1)])],
  ['chunk (one piece used)', () => gradcheck('chunk', (a) => a.chunk(3, 0)[1].square(), [r([5, 2], 1)])],
  ['narrow', () => gradcheck('narrow', (a) => a.narrow(-1, 1, 2).square(), [r([2, 3, 4], 1)])],
  ['select', () => gradcheck('select', (a) => a.select(1, -1).mul(a.select(1, 0)), [r([3, 4], 1)])],
  ['slice with a step', () => gradcheck('slice', (a) => E.slice(a, 0, -4, null, 2).square(), [r([5, 3], 1)])],
  ['indexSelect with repeats', () => gradcheck('indexSelect', (a) => a.indexSelect(1, [3, 0, 3, 3]).square(), [r([2, 4], 1)])],
  ['gather with repeats', () => gradcheck('gather', (a) => a.gather(0, [[1, 1, 0], [1, 2, 2]]).square(), [r([3, 3], 1)])],
  ['maximum broadcast', () => gradcheck('maximum', (a, b) => E.maximum(a, b), [awayFromZero([3, 4], 1), tensor([0.02, -0.03, 0.01, 0])])],
  ['minimum broadcast', () => gradcheck('minimum', (a, b) => a.minimum(b), [tensor([0.02, -0.03, 0.01]), awayFromZero([2, 3], 2)])],
  // At a tie the central difference of max(a, b) is 1/2 in each argument: PyTorch's split.
  ['maximum/minimum at ties', () => gradcheck('ties', (a, b) => E.maximum(a, b).add(E.minimum(a, b).mul(3)), [tensor([1, -2, 0.5]), tensor([1, -2, 0.5])])],
  ['where', () => gradcheck('where', (a, b) => E.where([[true], [false], [true]], a, b), [r([3, 4], 1), r([4], 2)])],
  ['maskedFill (input and 0-d value)', () => gradcheck('maskedFill', (a, v) => E.maskedFill(a, [[true, false, true], [false, false, true]], v), [r([2, 3], 1), r([], 2)])],
  ['maskedFill mask broadcasting the input up', () => gradcheck('maskedFill bc', (a) => a.maskedFill([[[true, false, false]], [[false, true, false]]], -2).square(), [r([3], 1)])],
  ['where on a comparison mask', () => gradcheck('where gt', (a) => E.where(a.gt(0), a, a.mul(0.1)), [awayFromZero([3, 4], 1)])],
  ['scatter (src larger than index)', () => gradcheck('scatter', (a, b) => E.scatter(a, 1, [[2, 0], [1, 3]], b).square(), [r([3, 4], 1), r([2, 3], 2)])],
  ['scatter a scalar', () => gradcheck('scatter scalar', (a) => a.scatter(0, [[1, 0, 1]], 0.5).square(), [r([2, 3], 1)])],
  ['scatterAdd with repeats', () => gradcheck('scatterAdd', (a, b) => a.scatterAdd(1, [[0, 0, 2], [1, 1, 1]], b).square(), [r([2, 3], 1), r([2, 3], 2)])],
  ['indexAdd with repeats and alpha', () => gradcheck('indexAdd', (a, b) => a.indexAdd(-1, [2, 0, 2], b, { alpha: -1.5 }).square(), [r([2, 3], 1), r([2, 3], 2)])],
  ['avgPool2d padding ceilMode', () => gradcheck('avgpool', (x) => F.avgPool2d(x, 3, 2, { padding: 1, ceilMode: true }), [r([1, 2, 6, 7], 1)])],
  ['avgPool2d countIncludePad false, divisorOverride', () => gradcheck('avgpool opts', (x) => F.avgPool2d(x, [2, 3], [2, 1], { padding: [1, 1], countIncludePad: false }).add(F.avgPool2d(x, 2, { divisorOverride: 3 }).sum()), [r([2, 5, 6], 1)])],
  ['adaptiveAvgPool2d overlapping windows', () => gradcheck('adaptive avg', (x) => F.adaptiveAvgPool2d(x, [3, 4]), [r([1, 2, 5, 7], 1)])],
  ['adaptiveAvgPool2d 1x1 (mean)', () => gradcheck('adaptive avg 1', (x) => F.adaptiveAvgPool2d(x, 1).square(), [r([2, 3, 2, 2], 1)])],
  ['adaptiveMaxPool2d overlapping windows', () => gradcheck('adaptive max', (x) => F.adaptiveMaxPool2d(x, [2, 3]), [r([1, 2, 5, 7], 1)])],
  ['dropout (fixed mask)', () => gradcheck('dropout', (x) => F.dropout(x, 0.3, true, new Generator(5)), [r([10], 1)])],
];

for (const [name, run] of cases) test(`gradcheck: ${name}`, run);

test('gradcheck detects a wrong gradient (the check can fail)', () => {
  // A custom op whose backward is deliberately off by a factor of 2.
  const wrong = (a: Tensor): Tensor => {
    const y = tensor(a.data.map((v) => v * v), a.shape);
    y.requiresGrad = true;
    y.gradFn = { name: 'Wrong', inputs: [a], backward: (g) => [g.map((gv, i) => gv * a.data[i])] };
    return y;
  };
  assert.throws(() => gradcheck('wrong', wrong, [r([4], 1)]), /analytic/);
});
