// Fused ops against the unfused ones they replace, bit for bit: cross-entropy (log-softmax + NLL
// in one op), linear's bias gradient (column sums), sigmoid and the activation gradients. The PyTorch fixtures (torch-*.test.ts)
// check the same ops against torch.
import assert from 'node:assert/strict';
import test from 'node:test';
import { F, Generator, randn, Tensor, tensor } from './imports';
import { BACKENDS, withBackend } from './helpers';

function logitsAndTargets(N: number, C: number, seed: number, scale = 3): { x: Tensor; y: number[] } {
  const gen = new Generator(seed);
  const x = randn([N, C], { generator: gen }).mul(scale).detach().requiresGrad_();
  const y = Array.from({ length: N }, (_, i) => (i * 7 + seed) % C);
  return { x, y };
}

function gradOf(x: Tensor, loss: () => Tensor, seed?: Tensor): { value: Float32Array; grad: Float32Array } {
  x.grad = null;
  const l = loss();
  if (seed) l.backward(seed);
  else l.backward();
  return { value: l.data.slice(), grad: x.grad!.data.slice() };
}

for (const reduction of ['mean', 'sum', 'none'] as const) {
  for (const ignoreIndex of [undefined, 2]) {
    test(`fused cross-entropy = logSoftmax + nllLoss, bit for bit (reduction ${reduction}, ignoreIndex ${ignoreIndex ?? 'none'})`, () => {
      const { x, y } = logitsAndTargets(60, 10, 5);
      if (ignoreIndex !== undefined) y[3] = y[11] = ignoreIndex;
      const seed = reduction === 'none' ? randn([60], { generator: new Generator(9) }) : undefined;
      const opts = { reduction, ignoreIndex };
      const fused = gradOf(x, () => F.crossEntropy(x, y, opts), seed);
      const unfused = gradOf(x, () => F.nllLoss(F.logSoftmax(x, 1), y, opts), seed);
      assert.deepEqual(fused.value, unfused.value);
      assert.deepEqual(fused.grad, unfused.grad);
      assert.equal(F.crossEntropy(x, y, opts).gradFn?.name, 'NllLossBackward');
    });
  }
}

test('fused cross-entropy: large logits, every target ignored (NaN mean), errors as before', () => {
  const x = tensor([[1e4, -1e4, 3], [88, 89, 90]]).requiresGrad_();
  const fused = gradOf(x, () => F.crossEntropy(x, [0, 2]));
  const unfused = gradOf(x, () => F.nllLoss(F.logSoftmax(x, 1), [0, 2]));
  assert.deepEqual(fused, unfused);
  assert.ok(Number.isNaN(F.crossEntropy(x, [1, 1], { ignoreIndex: 1 }).item()));
  const all = gradOf(x, () => F.crossEntropy(x, [1, 1], { ignoreIndex: 1 }));
  assert.deepEqual(all, gradOf(x, () => F.nllLoss(F.logSoftmax(x, 1), [1, 1], { ignoreIndex: 1 })));
  assert.throws(() => F.crossEntropy(x, [0, 3]), /Target 3 is out of bounds/);
  assert.throws(() => F.crossEntropy(x, [0]), /Expected input batch_size \(2\) to match target batch_size \(1\)/);
});

for (const backend of BACKENDS) {
  test(`${backend}: linear's bias gradient (fused column sums) = the summed output gradient`, () => {
    withBackend(backend, () => {
      // Below the wasm kernel's 2,048 values, above it with an even and an odd number of columns.
      for (const [R, I, O] of [[37, 19, 23], [64, 9, 100], [70, 5, 33]]) {
        const gen = new Generator(2);
        const x = randn([R, I], { generator: gen });
        const w = randn([O, I], { generator: gen }).requiresGrad_();
        const b = randn([O], { generator: gen }).requiresGrad_();
        const gy = randn([R, O], { generator: gen }).mul(100);
        F.linear(x, w, b).backward(gy);
        // The unfused reference: sum over dim 0 (float64 sums, rounded once).
        assert.deepEqual(b.grad!.data, gy.sum(0).data, `(${R}, ${O})`);
      }
    });
  });
}

// Sigmoid's forward (kernels/elementwise.ts): the wasm kernel (fdlibm's exp in float64 lanes, from
// 2,048 values) gives the bits of the 'js' loop, 1 / (1 + Math.exp(−x)) rounded once, everywhere:
// both exp branches, the tiny and huge inputs the kernel clamps, NaN and ±inf, odd lengths.
for (const backend of BACKENDS) {
  for (const n of [5, 3001, 4096, 2054, 2063]) { // the wasm kernel: 8 values a step, then pairs, then one
    test(`${backend}: sigmoid forward = 1 / (1 + Math.exp(−x)) rounded once, bit for bit (n = ${n})`, () => {
      withBackend(backend, () => {
        const gen = new Generator(7);
        const x = randn([n], { generator: gen });
        const scales = [1e-9, 1e-3, 0.3, 1, 3, 10, 40, 200];
        for (let i = 0; i < n; i++) x.data[i] *= scales[i % scales.length];
        const specials = [NaN, Infinity, -Infinity, 0, -0, 3.4e38, -3.4e38, 1e-45, 0.34657359, -0.3465736, 1.0397208, 88.72, -103.97];
        specials.forEach((v, i) => { if (i < n) x.data[(i * 131) % n] = v; });
        const expected = Float32Array.from(x.data, (v) => 1 / (1 + Math.exp(-v)));
        assert.deepEqual(x.sigmoid().data, expected);
      });
    });
  }
}

// Activation gradients (kernels/elementwise.ts): the wasm kernel (from 2,048 values) against the
// unfused formula evaluated in float64 and rounded once, as the 'js' loop does.
const ACTIVATION_GRADS = {
  sigmoid: { fwd: (x: Tensor) => x.sigmoid(), grad: (g: number, y: number) => g * (1 - y) * y },
  tanh: { fwd: (x: Tensor) => x.tanh(), grad: (g: number, y: number) => g * (1 - y * y) },
  relu: { fwd: (x: Tensor) => x.relu(), grad: (g: number, y: number) => (y > 0 ? g : 0) },
};
for (const backend of BACKENDS) {
  for (const [name, a] of Object.entries(ACTIVATION_GRADS)) {
    for (const n of [5, 3001]) {
      test(`${backend}: ${name} backward = (dy, y) formula rounded once, bit for bit (n = ${n}, with NaN and ±inf)`, () => {
        withBackend(backend, () => {
          const gen = new Generator(6);
          const x = randn([n], { generator: gen }).mul(4).detach();
          x.data[1] = NaN;
          x.data[2] = Infinity;
          x.data[3] = -Infinity;
          x.requiresGrad_();
          const gy = randn([n], { generator: gen });
          const y = a.fwd(x);
          y.backward(gy);
          const expected = Float32Array.from(gy.data, (g, i) => a.grad(g, y.data[i]));
          assert.deepEqual(x.grad!.data, expected);
        });
      });
    }
  }
}
