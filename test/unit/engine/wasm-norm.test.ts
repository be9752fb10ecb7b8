// Batch norm on BOTH kernel backends ('wasm': norm.wat, float32 partial sums widened into float64
// and float32 element-wise passes on the centred value; 'js': the float64 TypeScript kernels): the PyTorch fixtures and the 1e4 + noise
// cases pass on each backend (wasm.test.ts checks norm.generated.ts against norm.wat), module
// options and odd shapes agree between the backends, and the forward's copy of x that the wasm
// backward reuses is never stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NORM_WASM_MAX } from '../../../src/engine/wasm/norm';
import { F, Generator, nn, randn, stats, tensor, wasmAvailable, type KernelBackend } from './imports';
import { assertClose, BACKENDS, withBackend } from './helpers';
import { loadFixture, type LayerCase } from './fixtures';
import { checkBigOffsetBatchNorm1d, runLayerCase, type Big } from './layer-cases';



const fx = loadFixture<{ cases: LayerCase[]; bigOffset: Record<'BatchNorm1d', Big> }>('norm_layers');

for (const backend of BACKENDS) {
  for (const c of fx.cases.filter((k) => k.kind.startsWith('BatchNorm'))) {
    test(`${backend}: matches PyTorch: ${c.name}`, () => withBackend(backend, () => runLayerCase(c)));
  }

  test(`${backend}: BatchNorm1d on 1e4 + 0.01·noise matches PyTorch's float64 result`, () => withBackend(backend, () => checkBigOffsetBatchNorm1d(fx.bigOffset.BatchNorm1d)));

  test(`${backend}: 1e4 + 0.01·noise keeps its spread, (N, C) and (N, C, H, W), channels not a multiple of 4`, () => withBackend(backend, () => {
    const g = new Generator(11);
    for (const shape of [[64, 1], [37, 5], [6, 3, 5, 7]]) {
      const C = shape[1];
      const noise = randn(shape, { generator: g });
      const x = tensor(Array.from(noise.data, (v) => 1e4 + 0.01 * v), shape);
      const y = F.batchNorm(x, null, null, null, null, true, 0.1, 0);
      const moments = shape.length === 2 ? stats.featureMoments(y) : stats.channelMoments(y);
      assert.equal(moments.length, C);
      for (const m of moments) {
        assert.ok(Math.abs(m.mean) < 1e-3, `${shape.join('x')}: mean ${m.mean}`);
        assert.ok(Math.abs(m.std - 1) < 1e-3, `${shape.join('x')}: std ${m.std}`);
      }
    }
  }));
}

interface Run {
  y: Float32Array;
  gx: Float32Array | null;
  gw: Float32Array | null;
  gb: Float32Array | null;
  rm: Float32Array | null;
  rv: Float32Array | null;
}

/** Two training steps then one eval step of a module built by `make`, on fixed data. */
function runModule(backend: KernelBackend, make: () => nn.BatchNorm1d | nn.BatchNorm2d, shape: number[], seed: number, offset = 0): Run[] {
  return withBackend(backend, () => {
    const g = new Generator(seed);
    const m = make();
    const out: Run[] = [];
    for (const mode of ['train', 'train', 'eval']) {
      if (mode === 'train') m.train();
      else m.eval();
      m.zeroGrad();
      const x = tensor(Array.from(randn(shape, { generator: g }).data, (v) => offset + v), shape).requiresGrad_();
      const y = m.forward(x);
      y.backward(randn(shape, { generator: g }));
      out.push({
        y: y.data, gx: x.grad ? x.grad.data : null,
        gw: m.weight?.grad?.data ?? null, gb: m.bias?.grad?.data ?? null,
        rm: m.runningMean ? m.runningMean.data.slice() : null, rv: m.runningVar ? m.runningVar.data.slice() : null,
      });
    }
    return out;
  });
}

function assertRunsClose(a: Run[], b: Run[], label: string): void {
  a.forEach((r, i) => {
    const msg = `${label} step ${i}`;
    assertClose(r.y, b[i].y, { rtol: 1e-5, atol: 1e-5, msg: `${msg}: y` });
    for (const key of ['gx', 'gw', 'gb', 'rm', 'rv'] as const) {
      const u = r[key], v = b[i][key];
      assert.equal(u === null, v === null, `${msg}: ${key} presence`);
      if (u && v) assertClose(u, v, { rtol: 1e-4, atol: 1e-5, msg: `${msg}: ${key}` });
    }
  });
}

test('wasm and js agree on module options and odd shapes (C not a multiple of 4, S odd or 1, N = 2, several row blocks)', { skip: !wasmAvailable() }, () => {
  const options: [string, nn.BatchNormOptions][] = [
    ['default', {}],
    ['affine=false', { affine: false }],
    ['trackRunningStats=false', { trackRunningStats: false }],
    ['momentum=null', { momentum: null }],
    ['eps=1e-3 momentum=0.3', { eps: 1e-3, momentum: 0.3 }],
  ];
  // Float32 partial sums (norm.wat): 8-channel groups and row blocks for (N, C), 8-value pairs in
  // chunks of 16 per lane for (N, C, S), and the float64 tails of both.
  const shapes = [[2, 5], [2, 3], [19, 7], [17, 13], [9, 4], [2, 6, 3], [3, 5, 1], [2, 3, 2, 2], [4, 5, 3, 3], [2, 9, 7],
    [33, 24], [9, 17], [3, 4, 8, 9], [2, 3, 37], [5, 8, 16], [2, 2, 300]];
  let seed = 1;
  for (const [name, opts] of options) {
    for (const shape of shapes) {
      const C = shape[1];
      const make = (): nn.BatchNorm1d | nn.BatchNorm2d => (shape.length === 4 ? new nn.BatchNorm2d(C, opts) : new nn.BatchNorm1d(C, opts));
      for (const offset of [0, 1e4]) {
        seed++;
        assertRunsClose(runModule('wasm', make, shape, seed, offset), runModule('js', make, shape, seed, offset), `${name} ${shape.join('x')} offset ${offset}`);
      }
    }
  }
});

test('wasm: backward with only the affine grads (x without grad) and in eval mode', { skip: !wasmAvailable() }, () => {
  for (const training of [true, false]) {
    const results = BACKENDS.map((backend) => withBackend(backend, () => {
      const g = new Generator(3);
      const x = randn([11, 6, 5], { generator: g });
      const w = randn([6], { generator: g }).requiresGrad_();
      const b = randn([6], { generator: g }).requiresGrad_();
      const rm = randn([6], { generator: g });
      const rv = tensor(Array.from({ length: 6 }, (_, c) => 0.5 + c), [6]);
      const y = F.batchNorm(x, rm, rv, w, b, training, 0.1, 1e-5);
      y.backward(randn([11, 6, 5], { generator: g }));
      return { y: y.data, gw: w.grad!.data, gb: b.grad!.data };
    }));
    assertClose(results[0].y, results[1].y, { rtol: 1e-5, atol: 1e-5, msg: `y training=${training}` });
    assertClose(results[0].gw, results[1].gw, { rtol: 1e-5, atol: 1e-5, msg: `dw training=${training}` });
    assertClose(results[0].gb, results[1].gb, { rtol: 1e-5, atol: 1e-5, msg: `db training=${training}` });
  }
});

test('wasm: the backward never uses a stale copy of x (another forward, a larger memory, a second backward)', { skip: !wasmAvailable() }, () => {
  const grads = (backend: KernelBackend): Float32Array[] => withBackend(backend, () => {
    const g = new Generator(9);
    const a = randn([16, 8], { generator: g }).requiresGrad_();
    const b = randn([16, 8], { generator: g }).requiresGrad_();
    const big = randn([8, 16, 64, 64], { generator: g }); // 2 MB: a larger wasm memory, a new instance
    const ga = randn([16, 8], { generator: g });
    const ya = F.batchNorm(a, null, null, null, null, true);
    const yb = F.batchNorm(b, null, null, null, null, true); // overwrites the copy of a
    ya.backward(ga);
    const first = a.grad!.data.slice();
    a.grad = null;
    const ya2 = F.batchNorm(a, null, null, null, null, true);
    F.batchNorm(big, null, null, null, null, true); // re-instantiates on a larger memory
    ya2.backward(ga);
    const second = a.grad!.data.slice();
    yb.backward(ga);
    yb.backward(ga); // twice: the copy of b made by the first call is reused
    return [first, second, b.grad!.data.slice()];
  });
  const wasm = grads('wasm');
  const js = grads('js');
  wasm.forEach((v, i) => assertClose(v, js[i], { rtol: 1e-5, atol: 1e-6, msg: `grad ${i}` }));
  assertClose(wasm[0], wasm[1], { rtol: 0, atol: 0, msg: 'same input, same grad' });
});

test('wasm: inputs above NORM_WASM_MAX run the js kernels (same bits)', { skip: !wasmAvailable() }, () => {
  const shape = [2, 1, NORM_WASM_MAX / 2 + 1];
  const x = randn(shape, { generator: new Generator(2) }).requiresGrad_();
  const gy = randn(shape, { generator: new Generator(3) });
  const run = (backend: KernelBackend): Float32Array[] => withBackend(backend, () => {
    x.grad = null;
    const y = F.batchNorm(x, null, null, null, null, true);
    y.backward(gy);
    return [y.data, x.grad!.data];
  });
  const [wasm, js] = [run('wasm'), run('js')];
  for (let t = 0; t < 2; t++) {
    const a = wasm[t], b = js[t];
    let i = 0;
    while (i < a.length && Object.is(a[i], b[i])) i++;
    assert.equal(i, a.length, `${t ? 'dx' : 'y'} differs at [${i}]`);
  }
});

/** y, dx, dw, db of one training-mode call of F.batchNorm on given data, on one backend. */
function trainingCall(backend: KernelBackend, xs: ArrayLike<number>, gs: ArrayLike<number>, shape: number[], eps = 1e-5): Float32Array[] {
  return withBackend(backend, () => {
    const C = shape[1];
    const x = tensor(Array.from(xs), shape).requiresGrad_();
    const w = tensor(Array.from({ length: C }, (_, c) => 1 + 0.1 * c), [C]).requiresGrad_();
    const b = tensor(Array.from({ length: C }, (_, c) => -0.2 * c), [C]).requiresGrad_();
    const y = F.batchNorm(x, null, null, w, b, true, 0.1, eps);
    y.backward(tensor(Array.from(gs), shape));
    return [y.data, x.grad!.data, w.grad!.data, b.grad!.data];
  });
}

function assertBackendsAgree(xs: ArrayLike<number>, gs: ArrayLike<number>, shape: number[], label: string, eps = 1e-5, rtol = 1e-5): void {
  const wasm = trainingCall('wasm', xs, gs, shape, eps);
  const js = trainingCall('js', xs, gs, shape, eps);
  ['y', 'dx', 'dw', 'db'].forEach((name, i) => {
    const scale = js[i].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assertClose(wasm[i], js[i], { rtol, atol: rtol * scale, msg: `${label}: ${name}` });
  });
}

test('wasm: where float32 partial sums would lose digits, the channel is summed again in float64', { skip: !wasmAvailable() }, () => {
  const g = new Generator(21);
  for (const shape of [[512, 12], [16, 3, 64]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const noise = randn([n], { generator: g }).data;
    const dy = randn([n], { generator: g }).data;
    const perSample = n / shape[0];
    // A sorted batch: the first 8 samples (which give the shift) sit far from the rest.
    assertBackendsAgree(noise.map((v, i) => (i < 8 * perSample ? 3e3 : 0) + v), dy, shape, `${shape.join('x')} sorted`, 1e-5, 1e-6);
    // Squares beyond float32's range (values ±1e20), and below its normal range (spread 1e-24, eps 0).
    assertBackendsAgree(noise.map((v) => 1e20 * v), dy, shape, `${shape.join('x')} 1e20`);
    assertBackendsAgree(noise.map((v) => 1e-24 * v), dy, shape, `${shape.join('x')} 1e-24`, 0);
    // Products dy·(x − mean) beyond float32's range.
    assertBackendsAgree(noise.map((v) => 1e10 * v), dy.map((v) => 1e30 * v), shape, `${shape.join('x')} dy 1e30`);
  }
});

test('wasm: a NaN or inf in a channel makes that channel NaN, as on the js backend, and leaves the others alone', { skip: !wasmAvailable() }, () => {
  const shape = [24, 10];
  const xs = Array.from(randn(shape, { generator: new Generator(5) }).data);
  xs[3 * 10 + 2] = Number.NaN;
  xs[7 * 10 + 9] = Number.POSITIVE_INFINITY;
  const gs = randn(shape, { generator: new Generator(6) }).data;
  const wasm = trainingCall('wasm', xs, gs, shape);
  const js = trainingCall('js', xs, gs, shape);
  for (let c = 0; c < 10; c++) {
    const yw = Array.from({ length: 24 }, (_, n) => wasm[0][n * 10 + c]);
    const yj = Array.from({ length: 24 }, (_, n) => js[0][n * 10 + c]);
    if (c === 2 || c === 9) assert.ok(yw.every(Number.isNaN) && yj.every(Number.isNaN), `channel ${c}: ${yw[0]} / ${yj[0]}`);
    else assertClose(yw, yj, { rtol: 1e-5, atol: 1e-5, msg: `channel ${c}` });
  }
});
