// Ops and losses against PyTorch 1.13: forward values and gradients for a random upstream grad.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from './imports';
import { tensor, F, type Tensor } from './imports';
import { assertClose } from './helpers';
import { f32, fromJson, loadFixture, type TJson } from './fixtures';

interface OpCase {
  name: string;
  inputs: TJson[];
  output: TJson;
  gradOutput: TJson;
  grads: TJson[];
  /** Float64 references where float32 PyTorch itself is inaccurate (large offsets). */
  output64?: TJson;
  grads64?: TJson[];
  dim?: number | number[];
  keepdim?: boolean;
  exponent?: number;
  unbiased?: boolean;
  shape?: number[];
  dims?: number[];
}

type OpFn = (c: OpCase, ...xs: Tensor[]) => Tensor;

const OPS: Record<string, OpFn> = {
  'add': (_c, a, b) => a.add(b),
  'add broadcast row': (_c, a, b) => E.add(a, b),
  'add broadcast col': (_c, a, b) => a.add(b),
  'sub broadcast': (_c, a, b) => a.sub(b),
  'mul broadcast channel': (_c, a, b) => a.mul(b),
  'div broadcast': (_c, a, b) => a.div(b),
  'add scalar tensor': (_c, a, b) => a.add(b),
  'mul scalar 0.1': (_c, a) => a.mul(0.1),
  'rsub scalar': (_c, a) => E.sub(2.5, a),
  'rdiv scalar': (_c, a) => E.div(3, a),
  'neg': (_c, a) => a.neg(),
  'exp': (_c, a) => a.exp(),
  'log': (_c, a) => a.log(),
  'sqrt': (_c, a) => a.sqrt(),
  'pow 3': (c, a) => a.pow(c.exponent!),
  'pow -0.5': (c, a) => a.pow(c.exponent!),
  'pow tensor': (_c, a, b) => a.pow(b),
  'abs': (_c, a) => a.abs(),
  'relu': (_c, a) => a.relu(),
  'sigmoid': (_c, a) => a.sigmoid(),
  'tanh': (_c, a) => a.tanh(),
  'softmax dim 1': (c, a) => a.softmax(c.dim as number),
  'softmax dim 0': (c, a) => E.softmax(a, c.dim as number),
  'logSoftmax dim -1': (c, a) => a.logSoftmax(c.dim as number),
  'matmul 2d': (_c, a, b) => a.matmul(b),
  'matmul batched broadcast': (_c, a, b) => a.matmul(b),
  'matmul batch x batch': (_c, a, b) => E.matmul(a, b),
  'matmul 1d x 2d': (_c, a, b) => a.matmul(b),
  'matmul 2d x 1d': (_c, a, b) => a.matmul(b),
  'matmul 1d x 1d': (_c, a, b) => a.matmul(b),
  'sum all': (_c, a) => a.sum(),
  'sum dim 1': (c, a) => a.sum(c.dim, c.keepdim),
  'sum dims [0,2] keepdim': (c, a) => a.sum(c.dim, c.keepdim),
  'mean all': (_c, a) => a.mean(),
  'mean dim -1 keepdim': (c, a) => a.mean(c.dim, c.keepdim),
  'mean dims [0,2,3]': (c, a) => a.mean(c.dim, c.keepdim),
  'var dim 0 unbiased': (c, a) => a.var(c.dim),
  'var all biased': (c, a) => a.var(null, { unbiased: c.unbiased }),
  'std dim 1': (c, a) => a.std(c.dim),
  'reshape': (c, a) => a.reshape(c.shape!),
  'transpose': (c, a) => a.transpose(c.dims![0], c.dims![1]),
  'permute': (c, a) => a.permute(c.dims!),
  't': (_c, a) => a.t(),
  'flatten 1': (_c, a) => a.flatten(1),
  'unsqueeze 1': (_c, a) => a.unsqueeze(1),
  'max all': (_c, a) => a.max(),
  'clamp': (_c, a) => a.clamp(-0.5, 0.5),
  'linear': (_c, x, w, b) => F.linear(x, w, b),
  'conv2d stride 2 padding 1': (_c, x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }),
};

const ops = loadFixture<{ cases: OpCase[] }>('ops');

for (const c of ops.cases) {
  test(`op matches PyTorch: ${c.name}`, () => {
    const fn = OPS[c.name];
    assert.ok(fn, `no engine mapping for ${c.name}`);
    const xs = c.inputs.map((t) => fromJson(t, true));
    const y = fn(c, ...xs);
    assert.deepEqual(y.shape, c.output.shape, 'output shape');
    // Transcendentals differ from PyTorch's vectorized float32 versions by an ulp or so.
    assertClose(y.data, c.output64 ? c.output64.data : f32(c.output), { rtol: 2e-6, atol: 1e-6, msg: 'output' });
    y.backward(tensor(f32(c.gradOutput), c.gradOutput.shape));
    xs.forEach((x, i) => {
      const ref = c.grads64 ? c.grads64[i].data : f32(c.grads[i]);
      assertClose(x.grad!.data, ref, { rtol: 1e-5, atol: 1e-5, msg: `grad ${i}` });
    });
  });
}

test('every op fixture has an engine mapping', () => {
  for (const c of ops.cases) assert.ok(OPS[c.name], c.name);
});

interface LossCase {
  name: 'crossEntropy' | 'mseLoss';
  kwargs: { reduction?: 'mean' | 'sum' | 'none'; ignore_index?: number; label_smoothing?: number };
  inputs: TJson[];
  targets?: number[];
  output: TJson;
  gradOutput: TJson;
  grads: TJson[];
}

const losses = loadFixture<{ cases: LossCase[] }>('losses');

for (const c of losses.cases) {
  test(`loss matches PyTorch: ${c.name} ${JSON.stringify(c.kwargs)}`, () => {
    const xs = c.inputs.map((t) => fromJson(t, true));
    const y = c.name === 'crossEntropy'
      ? F.crossEntropy(xs[0], c.targets!, { reduction: c.kwargs.reduction, ignoreIndex: c.kwargs.ignore_index, labelSmoothing: c.kwargs.label_smoothing })
      : F.mseLoss(xs[0], xs[1], { reduction: c.kwargs.reduction });
    assert.deepEqual(y.shape, c.output.shape);
    assertClose(y.data, f32(c.output), { rtol: 1e-5, atol: 1e-6, msg: 'loss' });
    y.backward(tensor(f32(c.gradOutput), c.gradOutput.shape));
    xs.forEach((x, i) => assertClose(x.grad!.data, f32(c.grads[i]), { rtol: 1e-5, atol: 1e-6, msg: `grad ${i}` }));
  });
}

test('crossEntropy accepts targets as a tensor', () => {
  const logits = tensor([[1, 2, 3], [1, -1, 0]]);
  const a = F.crossEntropy(logits, [2, 0]).item();
  const b = F.crossEntropy(logits, tensor([2, 0])).item();
  assert.equal(a, b);
});
