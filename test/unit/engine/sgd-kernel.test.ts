// The fused in-place SGD update (kernels/elementwise.ts) on both backends against the unfused
// reference: torch.optim.SGD's tensor ops one by one, each rounded to float32 (the engine's loops
// before the fused kernel). Bits must match for every option combination, for sizes below and
// above the wasm threshold (odd, so the wasm kernel's scalar tail runs too), over several steps.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Generator, optim, randn, Tensor } from './imports';
import { BACKENDS, withBackend } from './helpers';

const f32 = Math.fround;

interface Options { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean }

/** torch.optim.SGD's single-tensor step, op by op (d, buf and p rounded to float32 at each op). */
function referenceStep(p: Float32Array, g: Float32Array, buf: Float32Array | null, o: Options): Float32Array | null {
  const n = p.length;
  const wd = f32(o.weightDecay ?? 0), mu = f32(o.momentum ?? 0), damp = f32(1 - (o.dampening ?? 0)), lr = f32(o.lr);
  let d = g;
  if (o.maximize || wd !== 0) {
    d = new Float32Array(n);
    for (let k = 0; k < n; k++) d[k] = (o.maximize ? -g[k] : g[k]) + wd * p[k];
  }
  if (mu !== 0) {
    if (buf === null) buf = d.slice();
    else for (let k = 0; k < n; k++) buf[k] = f32(buf[k] * mu) + damp * d[k];
    if (o.nesterov) {
      const nd = new Float32Array(n);
      for (let k = 0; k < n; k++) nd[k] = d[k] + mu * buf[k];
      d = nd;
    } else d = buf;
  }
  for (let k = 0; k < n; k++) p[k] = p[k] - lr * d[k];
  return buf;
}

const CASES: Options[] = [
  { lr: 0.1 },
  { lr: 0.1, weightDecay: 1e-3 },
  { lr: 0.05, maximize: true },
  { lr: 0.1, momentum: 0.9 },
  { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 5e-4 },
  { lr: 0.01, momentum: 0.8, nesterov: true, weightDecay: 1e-2, maximize: true },
];

for (const backend of BACKENDS) {
  for (const n of [7, 4099]) {
    for (const o of CASES) {
      test(`${backend}: fused SGD step = PyTorch's op-by-op update, bit for bit (n = ${n}, ${JSON.stringify(o)})`, () => {
        withBackend(backend, () => {
          const gen = new Generator(3);
          const p = randn([n], { generator: gen });
          p.requiresGrad_();
          const ref = p.data.slice();
          let buf: Float32Array | null = null;
          const opt = new optim.SGD([p], o);
          for (let step = 0; step < 4; step++) {
            const g = randn([n], { generator: gen });
            p.grad = new Tensor(g.data.slice(), [n]);
            opt.step();
            buf = referenceStep(ref, g.data, buf, o);
            assert.deepEqual(p.data, ref, `step ${step}: parameters`);
            if (o.momentum) assert.deepEqual(opt.momentumBuffer(0), buf, `step ${step}: momentum buffer`);
            assert.deepEqual(p.grad.data, g.data, 'the gradient is not modified');
          }
        });
      });
    }
  }
}

test('fused SGD: NaN and infinity propagate the same way on both backends (weight decay times inf)', () => {
  const results = BACKENDS.map((backend) => withBackend(backend, () => {
    const p = new Tensor(new Float32Array(3001).fill(1), [3001], true);
    p.data[5] = Infinity;
    p.data[6] = NaN;
    const g = new Float32Array(3001).fill(0.5);
    g[7] = -Infinity;
    p.grad = new Tensor(g, [3001]);
    new optim.SGD([p], { lr: 0.1, weightDecay: 0.1, momentum: 0.5 }).step();
    return p.data;
  }));
  const ref = new Float32Array(3001).fill(1);
  ref[5] = Infinity;
  ref[6] = NaN;
  const g = new Float32Array(3001).fill(0.5);
  g[7] = -Infinity;
  referenceStep(ref, g, null, { lr: 0.1, weightDecay: 0.1, momentum: 0.5 });
  for (const r of results) assert.deepEqual(r, ref);
});
