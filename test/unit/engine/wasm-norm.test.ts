// Batch norm on BOTH kernel backends ('wasm': norm.wat, float64 sums and float32 element-wise passes
// on the centred value; 'js': the float64 TypeScript kernels): the PyTorch fixtures and the 1e4 + noise
// cases pass on each backend (wasm.test.ts checks norm.generated.ts against norm.wat), module
// options and odd shapes agree between the backends, and the forward's copy of x that the wasm
// backward reuses is never stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NORM_WASM_MAX } from '../../../src/engine/wasm/norm';
import { F, Generator, getKernelBackend, nn, randn, setKernelBackend, stats, tensor, wasmAvailable, type KernelBackend } from './imports';
import { assertClose } from './helpers';
import { loadFixture, type LayerCase } from './fixtures';
import { checkBigOffsetBatchNorm1d, runLayerCase, type Big } from './layer-cases';

const BACKENDS: KernelBackend[] = wasmAvailable() ? ['wasm', 'js'] : ['js'];

function withBackend<T>(backend: KernelBackend, run: () => T): T {
  const previous = getKernelBackend();
  setKernelBackend(backend);
  try {
    return run();
  } finally {
    setKernelBackend(previous);
  }
}


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
  const shapes = [[2, 5], [2, 3], [19, 7], [17, 13], [9, 4], [2, 6, 3], [3, 5, 1], [2, 3, 2, 2], [4, 5, 3, 3], [2, 9, 7]];
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
