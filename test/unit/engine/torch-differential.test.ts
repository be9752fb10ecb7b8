// Differential checks of the public API against PyTorch 1.13 on shapes, options and edge cases the
// other fixtures miss (test/fixtures/torch/differential.json, written by
// scripts/torch-reference/generate_differential.py): forward values, input/weight/bias gradients,
// split/chunk pieces, error messages, running statistics, optimizer trajectories and init
// statistics. Everything that can reach a kernel (batch norm, matrix products) runs on both
// kernel backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from './imports';
import { F, Generator, init, nn, optim, tensor, type KernelBackend, type Tensor } from './imports';
import { assertClose, BACKENDS, withBackend } from './helpers';
import { runLayerCase } from './layer-cases';
import { buildModule, camelKeys, f32, fromJson, loadFixture, stateFromJson, type LayerCase, type State, type TJson } from './fixtures';


function caseTest(name: string, fn: () => void): void {
  test(name, fn);
}

// ---------------------------------------------------------------- layers

type Params = Record<string, unknown>;

interface Tol { rtol: number; atol: number }

/** Tolerance for one reference array: absolute part scaled to the array's largest value. */
type TolFor = (ref: ArrayLike<number>) => Tol;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) m = Math.max(m, Math.abs(a[i]));
  return m;
}

// float32 references: the engine rounds float64 results once where PyTorch rounds float32 steps,
// and matrix products sum in another order, so a few float32 ulps of the largest term.
const LAYER_TOL: TolFor = (ref) => ({ rtol: 1e-5, atol: 1e-5 * Math.max(1, maxAbs(ref)) });
// float64 references (large offsets): the engine's statistics are float64 and its outputs are
// float32, within a few float32 ulps of the largest value.
const PRECISION_TOL: TolFor = (ref) => ({ rtol: 1e-6, atol: 1e-6 * maxAbs(ref) });

function close(actual: ArrayLike<number>, expected: TJson, tol: TolFor, msg: string): void {
  const ref = f32OrF64(expected, tol);
  assertClose(actual, ref, { ...tol(ref), msg });
}

/** float64 references stay float64; float32 ones are rounded back to PyTorch's exact values. */
function f32OrF64(t: TJson, tol: TolFor): ArrayLike<number> {
  return tol === PRECISION_TOL ? t.data.map(Number) : f32(t);
}

function runLayer(c: LayerCase, tol: TolFor): void {
  runLayerCase(c, (got, want, msg) => close(got, want, tol, msg), true);
}

interface OpCase {
  name: string;
  fn: string;
  params: Params;
  inputs: TJson[];
  output: TJson;
  gradOutput?: TJson;
  grads?: TJson[];
  output64?: TJson;
  grads64?: TJson[];
  runningMeanAfter?: TJson;
  runningVarAfter?: TJson;
}

interface LossCase {
  name: string;
  loss: 'crossEntropy' | 'nllLoss' | 'mseLoss' | 'l1Loss';
  kwargs: { reduction?: 'mean' | 'sum' | 'none'; ignore_index?: number; label_smoothing?: number; weight?: number[] };
  inputs: TJson[];
  targets: number | number[] | number[][] | null;
  output: TJson;
  gradOutput: TJson;
  grads: TJson[];
}

interface OptCase {
  kind: 'SGD' | 'Adam';
  kwargs: Params;
  initial: TJson[];
  grads: (TJson | null)[][];
  after: TJson[][];
}

interface DistCase {
  name: string;
  fn: string;
  params: Params;
  shape: number[];
  kind: 'uniform' | 'normal';
  mean: number;
  spread: number;
}

interface InitFixture {
  gains: { nonlinearity: init.Nonlinearity; param: number | null; value: number }[];
  fans: { shape: number[]; fanIn: number; fanOut: number }[];
  dists: DistCase[];
  modules: { kind: string; args: unknown[]; kwargs?: Params; weightShape?: number[]; weightBound: number; biasBound: number }[];
}

interface TrainCase {
  name: string;
  spec: [string, unknown[], Params][];
  optimizer: 'SGD' | 'Adam';
  optimizerKwargs: Params;
  initial: State;
  inputs: TJson[];
  targets: number[][];
  steps: { loss: number; grads: Record<string, TJson>; state: State }[];
  evalInput: TJson;
  evalOutput: TJson;
}

const fx = loadFixture<{
  layers: LayerCase[];
  precision: LayerCase[];
  ops: OpCase[];
  pieces: PiecesCase[];
  values: OpCase[];
  losses: LossCase[];
  errors: ErrorCase[];
  optim: OptCase[];
  init: InitFixture;
  training: TrainCase[];
}>('differential');

for (const c of fx.layers) {
  for (const backend of BACKENDS) {
    caseTest(`layer [${backend}]: ${c.name}`, () => withBackend(backend, () => runLayer(c, LAYER_TOL)));
  }
}

for (const c of fx.precision) {
  for (const backend of BACKENDS) {
    caseTest(`float64 reference [${backend}]: ${c.name}`, () => withBackend(backend, () => runLayer(c, PRECISION_TOL)));
  }
}

// ---------------------------------------------------------------- ops

const p = <T>(params: Params, key: string): T => params[key] as T;

const OPS: Record<string, (q: Params, xs: Tensor[]) => Tensor> = {
  add: (q, [a, b]) => E.add(a, b, p(q, 'alpha')),
  sub: (q, [a, b]) => a.sub(b, p(q, 'alpha')),
  mul: (_q, [a, b]) => a.mul(b),
  div: (_q, [a, b]) => E.div(a, b),
  pow: (_q, [a, b]) => a.pow(b),
  powScalar: (q, [a]) => a.pow(p(q, 'exponent')),
  rpow: (q, [a]) => E.pow(p<number>(q, 'base'), a),
  addScalar: (q, [a]) => a.add(p<number>(q, 'value')),
  rsub: (q, [a]) => E.sub(p<number>(q, 'value'), a),
  divScalar: (q, [a]) => a.div(p<number>(q, 'value')),
  abs: (_q, [a]) => a.abs(),
  relu: (_q, [a]) => F.relu(a),
  leakyRelu: (q, [a]) => F.leakyRelu(a, p(q, 'slope')),
  rsqrt: (_q, [a]) => a.rsqrt(),
  square: (_q, [a]) => a.square(),
  sigmoid: (_q, [a]) => F.sigmoid(a),
  tanh: (_q, [a]) => a.tanh(),
  exp: (_q, [a]) => a.exp(),
  clamp: (q, [a]) => a.clamp(p(q, 'min'), p(q, 'max')),
  sum: (q, [a]) => a.sum(p(q, 'dim'), p(q, 'keepdim')),
  mean: (q, [a]) => a.mean(p(q, 'dim'), p(q, 'keepdim')),
  var: (q, [a]) => a.var(p(q, 'dim'), { unbiased: p(q, 'unbiased'), correction: p(q, 'correction'), keepdim: p(q, 'keepdim') }),
  std: (q, [a]) => E.std(a, p(q, 'dim'), { unbiased: p(q, 'unbiased'), correction: p(q, 'correction'), keepdim: p(q, 'keepdim') }),
  max: (_q, [a]) => a.max(),
  min: (_q, [a]) => E.min(a),
  maxDim: (q, [a]) => E.max(a, p(q, 'dim'), p(q, 'keepdim')).values,
  minDim: (q, [a]) => a.min(p(q, 'dim'), p(q, 'keepdim')).values,
  softmax: (q, [a]) => a.softmax(p(q, 'dim')),
  logSoftmax: (q, [a]) => F.logSoftmax(a, p(q, 'dim')),
  matmul: (_q, [a, b]) => a.matmul(b),
  linear: (_q, [x, w, b]) => F.linear(x, w, b ?? null),
  conv2d: (q, [x, w, b]) => F.conv2d(x, w, b ?? null, { stride: p(q, 'stride'), padding: p(q, 'padding'), dilation: p(q, 'dilation'), groups: p(q, 'groups') }),
  maxPool2d: (q, [x]) => F.maxPool2d(x, p(q, 'kernel'), p<number | null>(q, 'stride'), poolOptions(q)),
  batchNorm: (q, [x, w, b]) => F.batchNorm(x, runningMean!, runningVar!, w, b ?? null, p(q, 'training'), p(q, 'momentum'), p(q, 'eps')),
  layerNorm: (q, [x, w, b]) => F.layerNorm(x, p(q, 'shape'), w, b ?? null),
  groupNorm: (q, [x]) => F.groupNorm(x, p(q, 'groups'), null, null, p(q, 'eps')),
  instanceNorm: (_q, [x, w, b]) => F.instanceNorm(x, null, null, w, b, true),
  expand: (q, [a]) => a.expand(p<number[]>(q, 'shape')),
  permute: (q, [a]) => a.permute(p<number[]>(q, 'dims')),
  transpose: (q, [a]) => a.transpose(...p<[number, number]>(q, 'dims')),
  flatten: (q, [a]) => a.flatten(p(q, 'start'), p(q, 'end')),
  squeeze: (q, [a]) => a.squeeze(p(q, 'dim')),
  unsqueeze: (q, [a]) => a.unsqueeze(p(q, 'dim')),
  reshape: (q, [a]) => a.view(p<number[]>(q, 'shape')),
  bnChain: (_q, [x, w1, b1, w2, b2]) => F.batchNorm(F.batchNorm(x, null, null, w1, b1, true).relu().mul(1.5), null, null, w2, b2, true),
  bnShared: (_q, [x, w, b]) => F.batchNorm(x, null, null, w, b, true).add(F.batchNorm(x.mul(2).add(1), null, null, w, b, true)),
  reuse: (_q, [a]) => a.mul(a).add(a),
  reuseSoftmax: (_q, [a]) => a.softmax(-1).mul(a),
  cat: (q, xs) => E.cat(xs, p(q, 'dim')),
  concat: (q, xs) => E.concat(xs, p(q, 'dim')),
  catSelf: (q, [a]) => E.cat([a, a.mul(2), a], p(q, 'dim')),
  stack: (q, xs) => E.stack(xs, p(q, 'dim')),
  narrow: (q, [a]) => a.narrow(p(q, 'dim'), p(q, 'start'), p(q, 'length')),
  select: (q, [a]) => E.select(a, p(q, 'dim'), p(q, 'index')),
  slice: (q, [a]) => E.slice(a, p(q, 'dim'), p(q, 'start'), p(q, 'end'), p(q, 'step')),
  indexSelect: (q, [a]) => E.indexSelect(a, p(q, 'dim'), p(q, 'index')),
  indexSelectTensor: (q, [a]) => a.indexSelect(p(q, 'dim'), tensor(p<number[] | number>(q, 'index'))),
  gather: (q, [a]) => a.gather(p(q, 'dim'), p(q, 'index')),
  gatherShaped: (q, [a]) => E.gather(a, p(q, 'dim'), tensor(p<number[]>(q, 'index'), p<number[]>(q, 'indexShape'))),
  maximum: (_q, [a, b]) => E.maximum(a, b),
  minimum: (_q, [a, b]) => E.minimum(a, b),
  maximumMethod: (_q, [a, b]) => a.maximum(b),
  minimumMethod: (_q, [a, b]) => a.minimum(b),
  where: (q, [a, b]) => E.where(p(q, 'cond'), a, b),
  whereTensor: (q, [a, b]) => E.where(tensor(p<boolean[][]>(q, 'cond').map((r) => r.map(Number))), a, b),
  whereScalar: (q, [a]) => E.where(p(q, 'cond'), a, p<number>(q, 'other')),
  whereMethod: (q, [a, b]) => a.where(p(q, 'cond'), b),
  maskedFill: (q, [a]) => E.maskedFill(a, p(q, 'mask'), num(q, 'value')),
  maskedFillSoftmax: (q, [a]) => a.maskedFill(p(q, 'mask'), num(q, 'value')).softmax(-1),
  maskedFillTensor: (q, [a, v]) => a.maskedFill(p(q, 'mask'), v),
  maskedFillGt: (q, [a]) => a.maskedFill(a.gt(num(q, 'threshold')), num(q, 'value')),
  scatter: (q, [a, s]) => E.scatter(a, p(q, 'dim'), p(q, 'index'), s),
  scatterScalar: (q, [a]) => a.scatter(p(q, 'dim'), p(q, 'index'), num(q, 'value')),
  scatterAdd: (q, [a, s]) => a.scatterAdd(p(q, 'dim'), p(q, 'index'), s),
  indexAdd: (q, [a, s]) => (p<number>(q, 'alpha') === 1
    ? E.indexAdd(a, p(q, 'dim'), p(q, 'index'), s)
    : a.indexAdd(p(q, 'dim'), tensor(p<number[]>(q, 'index')), s, { alpha: p(q, 'alpha') })),
  avgPool2d: (q, [x]) => F.avgPool2d(x, p(q, 'kernel'), p<number | null>(q, 'stride'), avgPoolOptions(q)),
  adaptiveAvgPool2d: (q, [x]) => F.adaptiveAvgPool2d(x, p(q, 'size')),
  adaptiveMaxPool2d: (q, [x]) => F.adaptiveMaxPool2d(x, p(q, 'size')),
};

/** A number parameter; NaN and ±Infinity arrive as strings (JSON has neither). */
function num(q: Params, key: string): number {
  return Number(q[key]);
}

function avgPoolOptions(q: Params): Omit<F.AvgPool2dOptions, 'stride'> {
  return { padding: p(q, 'padding'), ceilMode: p(q, 'ceilMode'), countIncludePad: p(q, 'countIncludePad'), divisorOverride: p(q, 'divisorOverride') };
}

type Comparison = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
type Logical = 'logicalAnd' | 'logicalOr' | 'logicalXor';
type Unary = 'logicalNot' | 'isnan' | 'isinf' | 'isfinite' | 'bool' | 'long';

/** The function form, or the Tensor method when `method` is set. */
function compareOp(q: Params, a: Tensor, b: Tensor | number): Tensor {
  const op = p<Comparison>(q, 'op');
  return p(q, 'method') ? a[op](b) : E[op](a, b);
}

function poolOptions(q: Params): Omit<F.MaxPool2dOptions, 'returnIndices'> {
  return { padding: p(q, 'padding'), dilation: p(q, 'dilation'), ceilMode: p(q, 'ceilMode') };
}

// Running statistics handed to F.batchNorm (fresh per case run).
let runningMean: Tensor | null = null;
let runningVar: Tensor | null = null;

const GEMM_OPS = new Set(['matmul', 'linear', 'conv2d', 'batchNorm', 'bnChain', 'bnShared']);

function runOp(c: OpCase): void {
  const fn = OPS[c.fn];
  assert.ok(fn, `no engine mapping for ${c.fn}`);
  if (c.fn === 'batchNorm') {
    runningMean = tensor(p<number[]>(c.params, 'runningMean'));
    runningVar = tensor(p<number[]>(c.params, 'runningVar'));
  }
  const xs = c.inputs.map((t) => fromJson(t, true));
  const y = fn(c.params, xs);
  assert.deepEqual(y.shape, c.output.shape, 'output shape');
  const tol: TolFor = c.output64 ? PRECISION_TOL : (ref) => ({ rtol: 2e-6, atol: 2e-6 * Math.max(1, maxAbs(ref)) });
  close(y.data, c.output64 ?? c.output, tol, 'output');
  if (c.runningMeanAfter) close(runningMean!.data, c.runningMeanAfter, LAYER_TOL, 'running mean');
  if (c.runningVarAfter) close(runningVar!.data, c.runningVarAfter, LAYER_TOL, 'running var');
  y.backward(tensor(f32(c.gradOutput!), c.gradOutput!.shape));
  xs.forEach((x, i) => {
    const ref = c.grads64 ? c.grads64[i] : c.grads![i];
    const got = x.grad ? x.grad.data : new Float32Array(x.data.length);
    close(got, ref, c.grads64 ? PRECISION_TOL : LAYER_TOL, `grad ${i}`);
  });
}

for (const c of fx.ops) {
  const backends = GEMM_OPS.has(c.fn) ? BACKENDS : (['js'] as KernelBackend[]);
  for (const backend of backends) caseTest(`op [${backend}]: ${c.name}`, () => withBackend(backend, () => runOp(c)));
}

const VALUES: Record<string, (q: Params, xs: Tensor[]) => Tensor> = {
  argmax: (q, [a]) => a.argmax(p(q, 'dim'), p(q, 'keepdim')),
  argmin: (q, [a]) => E.argmin(a, p(q, 'dim'), p(q, 'keepdim')),
  maxIndices: (q, [a]) => a.max(p(q, 'dim'), p(q, 'keepdim')).indices,
  minIndices: (q, [a]) => E.min(a, p(q, 'dim'), p(q, 'keepdim')).indices,
  maxPool2dIndices: (q, [x]) => F.maxPool2d(x, p(q, 'kernel'), { stride: p(q, 'stride'), ...poolOptions(q), returnIndices: true }).indices,
  arange: (q) => E.arange(p(q, 'start'), p(q, 'end'), p(q, 'step')),
  linspace: (q) => E.linspace(p(q, 'start'), p(q, 'end'), p(q, 'steps')),
  eye: (q) => E.eye(p(q, 'n'), p(q, 'm')),
  cmp: (q, [a, b]) => compareOp(q, a, b),
  cmpScalar: (q, [a]) => compareOp(q, a, num(q, 'other')),
  logical: (q, [a, b]) => (p(q, 'method') ? a[p<Logical>(q, 'op')](b) : E[p<Logical>(q, 'op')](a, b)),
  unary: (q, [a]) => {
    const op = p<Unary>(q, 'op');
    return p(q, 'method') || op === 'bool' || op === 'long' ? a[op]() : E[op as Exclude<Unary, 'bool' | 'long'>](a);
  },
  any: (q, [a]) => (q.dim === undefined ? E.any(a) : a.any(p(q, 'dim'), p(q, 'keepdim'))),
  all: (q, [a]) => (q.dim === undefined ? a.all() : E.all(a, p(q, 'dim'), p(q, 'keepdim'))),
  accuracy: (_q, [logits, targets]) => E.eq(E.argmax(logits, 1), targets).float().mean(),
  scatterValues: (q, [a, s]) => a.scatter(p(q, 'dim'), p(q, 'index'), s),
  adaptiveMaxPool2dIndices: (q, [x]) => F.adaptiveMaxPool2d(x, p(q, 'size'), true).indices,
};

for (const c of fx.values) {
  caseTest(`value: ${c.name}`, () => {
    const y = VALUES[c.fn](c.params, c.inputs.map((t) => fromJson(t)));
    assert.deepEqual(y.shape, c.output.shape, 'shape');
    // Factories compute in float64 and round once; PyTorch steps in float32: an ulp or so.
    assertClose(y.data, f32(c.output), { rtol: 1e-6, atol: 1e-6 });
  });
}

// ---------------------------------------------------------------- split / chunk

interface PiecesCase {
  name: string;
  fn: string;
  params: Params;
  inputs: TJson[];
  outputs: TJson[];
  gradOutputs: (TJson | null)[];
  grads: TJson[];
}

const PIECES: Record<string, (q: Params, a: Tensor) => Tensor[]> = {
  split: (q, a) => E.split(a, p(q, 'size'), p(q, 'dim')),
  splitMethod: (q, a) => a.split(p(q, 'size'), p(q, 'dim')),
  chunk: (q, a) => E.chunk(a, p(q, 'chunks'), p(q, 'dim')),
  chunkMethod: (q, a) => a.chunk(p(q, 'chunks'), p(q, 'dim')),
};

for (const c of fx.pieces) {
  caseTest(`pieces: ${c.name}`, () => {
    const x = fromJson(c.inputs[0], true);
    const outs = PIECES[c.fn](c.params, x);
    assert.equal(outs.length, c.outputs.length, 'number of pieces');
    outs.forEach((o, i) => {
      assert.deepEqual(o.shape, c.outputs[i].shape, `piece ${i} shape`);
      assert.deepEqual(Array.from(o.data), Array.from(f32(c.outputs[i])), `piece ${i}`);
    });
    // One backward per used piece: the input's gradient accumulates across them.
    outs.forEach((o, i) => {
      const g = c.gradOutputs[i];
      if (g) o.backward(tensor(f32(g), g.shape));
    });
    assert.deepEqual(Array.from(x.grad ? x.grad.data : new Float32Array(x.data.length)), Array.from(f32(c.grads[0])), 'grad');
  });
}

// ---------------------------------------------------------------- losses

function lossOptions(c: LossCase): F.CrossEntropyOptions {
  const w = c.kwargs.weight;
  return { reduction: c.kwargs.reduction, ignoreIndex: c.kwargs.ignore_index, labelSmoothing: c.kwargs.label_smoothing, weight: w ? tensor(w) : undefined };
}

/** The functional loss, or (`asModule`) nn.CrossEntropyLoss / NLLLoss / MSELoss where one exists. */
function runLoss(c: LossCase, xs: Tensor[], asModule: boolean): Tensor {
  const opts = lossOptions(c);
  // Without class indices, crossEntropy's second input is a tensor of class probabilities.
  const targets = c.targets === null ? xs[1] : tensor(c.targets as never);
  switch (c.loss) {
    case 'crossEntropy': return asModule ? new nn.CrossEntropyLoss(opts).forward(xs[0], targets) : F.crossEntropy(xs[0], targets, opts);
    case 'nllLoss': return asModule ? new nn.NLLLoss(opts).forward(xs[0], targets) : F.nllLoss(xs[0], targets, opts);
    case 'mseLoss': return asModule ? new nn.MSELoss(opts).forward(xs[0], xs[1]) : F.mseLoss(xs[0], xs[1], opts);
    case 'l1Loss': return F.l1Loss(xs[0], xs[1], opts);
  }
}

function checkLoss(c: LossCase, asModule: boolean): void {
  const xs = c.inputs.map((t) => fromJson(t, true));
  const y = runLoss(c, xs, asModule);
  assert.deepEqual(y.shape, c.output.shape, 'shape');
  assertClose(y.data, f32(c.output), { rtol: 1e-5, atol: 1e-6, msg: 'loss' });
  y.backward(tensor(f32(c.gradOutput), c.gradOutput.shape));
  xs.forEach((x, i) => assertClose(x.grad!.data, f32(c.grads[i]), { rtol: 1e-5, atol: 1e-6, msg: `grad ${i}` }));
}

for (const c of fx.losses) caseTest(`loss: ${c.name}`, () => checkLoss(c, false));

test('loss modules (CrossEntropyLoss, NLLLoss, MSELoss) match the functional cases', () => {
  for (const c of fx.losses) if (c.loss !== 'l1Loss') checkLoss(c, true);
});

test('CrossEntropyLoss keeps its class weight as a buffer, like PyTorch', () => {
  const w = tensor([0.5, 2, 1]);
  assert.deepEqual(Object.keys(new nn.CrossEntropyLoss({ weight: w }).stateDict()), ['weight']);
  assert.deepEqual(Object.keys(new nn.NLLLoss().stateDict()), []);
  assert.equal(new nn.CrossEntropyLoss({ weight: w }).parameters().length, 0);
});

// ---------------------------------------------------------------- errors

interface ErrorCase { name: string; fn: string; params: Params; inputs: TJson[]; message: string }

const ERRORS: Record<string, (q: Params, xs: Tensor[]) => unknown> = {
  conv2d: (q, [x, w, b]) => F.conv2d(x, w, b ?? null, { groups: p(q, 'groups') }),
  Conv2dModule: (q) => buildModule('Conv2d', p(q, 'args'), p(q, 'kwargs')),
  maxPool2d: (q, [x]) => F.maxPool2d(x, p(q, 'kernel'), { stride: p(q, 'stride'), padding: p(q, 'padding'), dilation: p(q, 'dilation') }),
  crossEntropy: (q, [x]) => F.crossEntropy(x, x.shape.length === 2 ? [0, 2, 1, 1] : tensor([[0, 0, 0, 0], [0, 0, 0, 0]]), { weight: tensor(p(q, 'weight')) }),
  crossEntropyProb: (q, [x, t]) => F.crossEntropy(x, t, { weight: tensor(p(q, 'weight')) }),
  nllLoss: (q, [x]) => F.nllLoss(x, [0, 2, 1, 1], { weight: tensor(p<number[] | number[][]>(q, 'weight') as never) }),
  crossEntropyWeightGrad: (_q, [x]) => F.crossEntropy(x, [0, 2, 1, 1], { weight: E.ones([3], { requiresGrad: true }) }),
  nllLossWeightGrad: (_q, [x]) => F.nllLoss(x, tensor([[0, 0, 0, 0], [0, 0, 0, 0]]), { weight: E.ones([3], { requiresGrad: true }) }),
  maxDim: (q, [x]) => x.max(p(q, 'dim')),
  minDim: (q, [x]) => E.min(x, p(q, 'dim')),
  argmin: (q, [x]) => x.argmin(p(q, 'dim')),
  argmax: (q, [x]) => E.argmax(x, p(q, 'dim')),
  cat: (q, xs) => E.cat(xs, p(q, 'dim')),
  stack: (q, xs) => E.stack(xs, p(q, 'dim')),
  split: (q, [x]) => x.split(p(q, 'size'), p(q, 'dim')),
  chunk: (q, [x]) => E.chunk(x, p(q, 'chunks')),
  narrow: (q, [x]) => E.narrow(x, p(q, 'dim'), p(q, 'start'), p(q, 'length')),
  select: (q, [x]) => x.select(p(q, 'dim'), p(q, 'index')),
  slice: (q, [x]) => E.slice(x, p(q, 'dim'), p(q, 'start'), p(q, 'end'), p(q, 'step')),
  indexSelect: (q, [x]) => E.indexSelect(x, p(q, 'dim'), p(q, 'index')),
  gather: (q, [x]) => E.gather(x, p(q, 'dim'), p(q, 'index')),
  maximum: (_q, [a, b]) => E.maximum(a, b),
  minimum: (_q, [a, b]) => a.minimum(b),
  where: (q, [a, b]) => E.where(p(q, 'cond'), a, b),
  whereTensor: (_q, [c, a, b]) => E.where(c, a, b),
  cmp: (q, [a, b]) => compareOp(q, a, b),
  logical: (q, [a, b]) => E[p<Logical>(q, 'op')](a, b),
  any: (q, [x]) => E.any(x, p(q, 'dim')),
  all: (q, [x]) => x.all(p(q, 'dim')),
  maskedFill: (q, [x]) => x.maskedFill(p(q, 'mask'), num(q, 'value')),
  maskedFillTensor: (q, [x, v]) => E.maskedFill(x, p(q, 'mask'), v),
  scatter: (q, [x, s]) => x.scatter(p(q, 'dim'), p(q, 'index'), s),
  scatterAdd: (q, [x, s]) => E.scatterAdd(x, p(q, 'dim'), p(q, 'index'), s),
  scatterScalar: (q, [x]) => E.scatter(x, p(q, 'dim'), p(q, 'index'), num(q, 'value')),
  indexAdd: (q, [x, s]) => x.indexAdd(p(q, 'dim'), p(q, 'index'), s),
  avgPool2d: (q, [x]) => F.avgPool2d(x, p(q, 'kernel'), { stride: p(q, 'stride'), padding: p(q, 'padding'), divisorOverride: p(q, 'divisorOverride') }),
  adaptiveAvgPool2d: (q, [x]) => F.adaptiveAvgPool2d(x, p(q, 'size')),
  adaptiveMaxPool2d: (q, [x]) => F.adaptiveMaxPool2d(x, p(q, 'size')),
};

for (const c of fx.errors) {
  caseTest(`error: ${c.name}`, () => {
    const fn = ERRORS[c.fn];
    assert.ok(fn, `no engine mapping for ${c.fn}`);
    const xs = c.inputs.map((t) => fromJson(t));
    assert.throws(() => fn(c.params, xs), (e: Error) => {
      assert.equal(e.message, c.message);
      return true;
    });
  });
}

// ---------------------------------------------------------------- optimizers

for (const c of fx.optim) {
  caseTest(`optim: ${c.kind} ${JSON.stringify(c.kwargs)} over ${c.grads.length} steps, 2 params`, () => {
    const params = c.initial.map((t) => fromJson(t, true));
    const o = camelKeys(c.kwargs) as never;
    const opt = c.kind === 'SGD' ? new optim.SGD(params, o) : new optim.Adam(params, o);
    c.grads.forEach((gs, k) => {
      params.forEach((q, i) => (q.grad = gs[i] ? fromJson(gs[i]!) : null));
      opt.step();
      // Same float32 operation order as PyTorch's single-tensor loops: a few ulps after 6 steps.
      params.forEach((q, i) => assertClose(q.data, f32(c.after[k][i]), { rtol: 2e-6, atol: 1e-7, msg: `step ${k} param ${i}` }));
    });
  });
}

// ---------------------------------------------------------------- init

test('init: calculateGain matches PyTorch', () => {
  for (const g of fx.init.gains) {
    const got = init.calculateGain(g.nonlinearity, g.param ?? undefined);
    assert.ok(Math.abs(got - g.value) <= 1e-12 * Math.abs(g.value), `${g.nonlinearity}(${g.param}): ${got} vs ${g.value}`);
  }
});

test('init: fan in / fan out match PyTorch', () => {
  for (const f of fx.init.fans) {
    const got = init.calculateFanInAndFanOut(E.zeros(f.shape));
    assert.deepEqual(got, { fanIn: f.fanIn, fanOut: f.fanOut }, JSON.stringify(f.shape));
  }
});

/** Sample mean, std and largest |x − mean| of a float32 array (float64 sums). */
function sampleStats(x: Float32Array, center: number): { mean: number; std: number; maxDev: number } {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let ss = 0, maxDev = 0;
  for (const v of x) {
    ss += (v - mean) ** 2;
    maxDev = Math.max(maxDev, Math.abs(v - center));
  }
  return { mean, std: Math.sqrt(ss / (x.length - 1)), maxDev };
}

const INITS: Record<string, (t: Tensor, q: Params, g: Generator) => Tensor> = {
  uniform: (t, q, g) => init.uniform_(t, p(q, 'a'), p(q, 'b'), { generator: g }),
  normal: (t, q, g) => init.normal_(t, p(q, 'mean'), p(q, 'std'), { generator: g }),
  xavierUniform: (t, q, g) => init.xavierUniform_(t, p(q, 'gain'), { generator: g }),
  xavierNormal: (t, q, g) => init.xavierNormal_(t, p(q, 'gain'), { generator: g }),
  kaimingUniform: (t, q, g) => init.kaimingUniform_(t, { ...(q as object), generator: g }),
  kaimingNormal: (t, q, g) => init.kaimingNormal_(t, { ...(q as object), generator: g }),
};

for (const d of fx.init.dists) {
  test(`init statistics: ${d.name}`, () => {
    // Random streams differ from torch's: compare the distribution, not the values.
    const t = INITS[d.fn](E.zeros(d.shape), d.params, new Generator(1234));
    const n = t.data.length;
    const { mean, std, maxDev } = sampleStats(t.data, d.mean);
    const expectStd = d.kind === 'uniform' ? d.spread / Math.sqrt(3) : d.spread;
    // Five standard errors: the sample std of n draws has a relative standard error ≲ 1/√(2n)·√2.
    assert.ok(Math.abs(std - expectStd) < 5 * expectStd * Math.SQRT2 / Math.sqrt(n), `std ${std} vs ${expectStd}`);
    assert.ok(Math.abs(mean - d.mean) < 5 * expectStd / Math.sqrt(n), `mean ${mean} vs ${d.mean}`);
    if (d.kind === 'uniform') {
      assert.ok(maxDev <= d.spread * (1 + 1e-6), `max |x − mean| ${maxDev} > bound ${d.spread}`);
      assert.ok(maxDev > d.spread * 0.99, `bound ${d.spread} not reached (${maxDev})`);
    }
  });
}

test('init: default Linear / Conv2d parameters stay within PyTorch bounds', () => {
  for (const m of fx.init.modules) {
    const mod = (m.kind === 'Linear'
      ? new nn.Linear(m.args[0] as number, m.args[1] as number, { generator: new Generator(7) })
      : new nn.Conv2d(m.args[0] as number, m.args[1] as number, m.args[2] as [number, number], { ...m.kwargs, generator: new Generator(7) })) as nn.Linear | nn.Conv2d;
    if (m.weightShape) assert.deepEqual(mod.weight.shape, m.weightShape, `${m.kind} weight shape`);
    const w = sampleStats(mod.weight.data, 0);
    const b = sampleStats(mod.bias!.data, 0);
    assert.ok(w.maxDev <= m.weightBound * (1 + 1e-6) && w.maxDev > 0.99 * m.weightBound, `${m.kind} weight bound`);
    const expectStd = m.weightBound / Math.sqrt(3);
    assert.ok(Math.abs(w.std - expectStd) < 0.05 * expectStd, `${m.kind} weight std ${w.std} vs ${expectStd}`);
    assert.ok(b.maxDev <= m.biasBound * (1 + 1e-6), `${m.kind} bias bound`);
  }
});

// ---------------------------------------------------------------- short training runs

function camelPath(k: string): string {
  return k.split('.').map((q) => q.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).join('.');
}

function runTraining(c: TrainCase): void {
  const net = new nn.Sequential(...c.spec.map(([kind, args, kwargs]) => buildModule(kind, args, kwargs)));
  net.loadStateDict(stateFromJson(c.initial));
  const o = camelKeys(c.optimizerKwargs) as never;
  const opt = c.optimizer === 'SGD' ? new optim.SGD(net.parameters(), o) : new optim.Adam(net.parameters(), o);
  // Differences start at float32 rounding and grow a little each step (as in torch-training.test.ts).
  const tol = { rtol: 1e-4, atol: 1e-5 };
  c.steps.forEach((s, i) => {
    net.train();
    opt.zeroGrad();
    const loss = F.crossEntropy(net.forward(fromJson(c.inputs[i])), c.targets[i]);
    loss.backward();
    assertClose([loss.item()], [Math.fround(s.loss)], { rtol: 1e-5, atol: 1e-6, msg: `step ${i} loss` });
    const named = new Map(net.namedParameters());
    for (const [k, g] of Object.entries(s.grads)) assertClose(named.get(camelPath(k))!.grad!.data, f32(g), { ...tol, msg: `step ${i} grad ${k}` });
    opt.step();
    const state = net.stateDict();
    for (const [k, v] of Object.entries(s.state)) {
      const got = state[camelPath(k)];
      if (typeof v === 'number') assert.equal(got, v, `step ${i} ${k}`);
      else assertClose((got as Tensor).data, f32(v), { ...tol, msg: `step ${i} ${k}` });
    }
  });
  net.eval();
  assertClose(net.forward(fromJson(c.evalInput)).data, f32(c.evalOutput), { ...tol, msg: 'eval output' });
}

for (const c of fx.training) {
  for (const backend of BACKENDS) caseTest(`training [${backend}]: ${c.name}`, () => withBackend(backend, () => runTraining(c)));
}
