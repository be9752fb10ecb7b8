// Losses. crossEntropy = logSoftmax + negative log-likelihood (with PyTorch's class weight,
// ignoreIndex and labelSmoothing); regression losses are compositions of differentiable ops.
import { Tensor } from '../tensor';
import { shapeToString, sameShape } from '../shape';
import { logSoftmax } from './softmax';
import { add, abs, div, mul, neg, sub, square } from './elementwise';
import { mean, sum } from './reduce';
import { reshape } from './layout';
import { attach } from './graph';
import { isGradEnabled } from '../autograd';

/** How a loss reduces its per-element values: 'mean', 'sum' or 'none' (no reduction). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of F.nllLoss. */
export interface NllOptions {
  /** Per-class rescaling weight of shape (C); not differentiable (PyTorch has no derivative for it). */
  weight?: Tensor | null;
  /** 'mean' (default: mean over the non-ignored targets, weighted), 'sum', or 'none' (one loss per target). */
  reduction?: Reduction;
  /** Target value that contributes neither loss nor gradient (default −100). */
  ignoreIndex?: number;
}

/** Options of F.crossEntropy. */
export interface CrossEntropyOptions extends NllOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Class-index targets as a tensor or an array of integers (crossEntropy also takes class probabilities shaped like its input). */
export type Targets = Tensor | ArrayLike<number>;

function targetValues(t: Targets): ArrayLike<number> {
  return t instanceof Tensor ? t.data : t;
}

/** The weight's values, after PyTorch's check (its message differs for (N, C, d1, …) inputs). */
function classWeights(weight: Tensor | null | undefined, C: number, rank: number, prefix = ''): Float32Array | null {
  if (!weight) return null;
  if (weight.shape.length !== 1 || weight.shape[0] !== C) {
    if (rank > 2 && !prefix) throw new Error('weight tensor should be defined either for all or no classes');
    throw new Error(`${prefix}weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${shapeToString(weight.shape)}`);
  }
  return weight.data;
}

/**
 * -w[target]·logp[target] per (sample, position) of (N, C), (C) or (N, C, d1, …, dk)
 * log-probabilities, optionally mixed with uniform smoothing. Class c of element (n, s) sits at
 * (n·C + c)·S + s. PyTorch 1.13's smoothing term is −Σ_c w_c·logp_c, and a weighted mean divides
 * both terms by Σ w[target] over the non-ignored targets.
 */
function nll(logp: Tensor, targets: Targets, opts: CrossEntropyOptions, name: string): Tensor {
  const rank = logp.shape.length;
  const unbatched = rank === 1;
  if (rank === 0) throw new Error(`${name}: expected input of shape (N, C), (C) or (N, C, d1, ...), got ${shapeToString(logp.shape)}`);
  const N = unbatched ? 1 : logp.shape[0];
  const C = unbatched ? logp.shape[0] : logp.shape[1];
  const spatial = logp.shape.slice(2);
  const S = spatial.reduce((p, d) => p * d, 1);
  const t = targetValues(targets);
  if (rank > 2) {
    const want = [N, ...spatial];
    const got = targets instanceof Tensor ? targets.shape : [t.length];
    if (t.length !== N * S || (targets instanceof Tensor && !sameShape(got, want))) {
      throw new Error(`Expected target size ${shapeToString(want)}, got ${shapeToString(got)}`);
    }
  } else if (t.length !== N) {
    throw new Error(`Expected input batch_size (${N}) to match target batch_size (${t.length}).`);
  }
  const w = classWeights(opts.weight, C, rank);
  if (opts.weight?.requiresGrad && isGradEnabled()) {
    // PyTorch refuses this at the forward: its nll_loss has no derivative for the weight.
    const fn = rank > 2 ? 'nll_loss2d_forward' : 'nll_loss_forward';
    throw new Error(`The function '${fn}' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True.`);
  }
  const reduction = opts.reduction ?? 'mean';
  const ignore = opts.ignoreIndex ?? -100;
  const eps = opts.labelSmoothing ?? 0;
  if (eps < 0 || eps > 1) throw new Error(`label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const lp = logp.data;
  const M = N * S;
  const per = new Float64Array(M);
  let count = 0; // Σ w[target] over the non-ignored targets (their number without weights)
  for (let i = 0; i < M; i++) {
    const k = t[i];
    if (k === ignore) continue;
    if (!Number.isInteger(k) || k < 0 || k >= C) throw new Error(`Target ${k} is out of bounds.`);
    count += w ? w[k] : 1;
    const base = (i - (i % S)) * C + (i % S); // element (n, s) of class 0
    let v = -lp[base + k * S] * (w ? w[k] : 1);
    if (eps > 0) {
      let s = 0;
      for (let c = 0; c < C; c++) s -= lp[base + c * S] * (w ? w[c] : 1);
      v = (1 - eps) * v + (eps / C) * s;
    }
    per[i] = v;
  }
  let out: Tensor;
  if (reduction === 'none') {
    out = new Tensor(Float32Array.from(per), unbatched ? [] : [N, ...spatial]);
  } else {
    let s = 0;
    for (let i = 0; i < M; i++) s += per[i];
    // Mean over non-ignored targets, weighted (NaN when all are ignored, as in PyTorch).
    out = new Tensor(new Float32Array([reduction === 'mean' ? s / count : s]), []);
  }
  return attach(out, 'NllLossBackward', [logp], (g) => {
    const gx = new Float32Array(lp.length);
    for (let i = 0; i < M; i++) {
      const k = t[i];
      if (k === ignore) continue;
      const gi = reduction === 'none' ? g[i] : reduction === 'mean' ? g[0] / count : g[0];
      const base = (i - (i % S)) * C + (i % S);
      gx[base + k * S] -= (1 - eps) * gi * (w ? w[k] : 1);
      if (eps > 0) for (let c = 0; c < C; c++) gx[base + c * S] -= (eps / C) * gi * (w ? w[c] : 1);
    }
    return [gx];
  });
}

/** F.nll_loss on log-probabilities (N, C), (C) or (N, C, d1, …, dk) with class-index targets. */
export function nllLoss(logProbs: Tensor, targets: Targets, opts: NllOptions = {}): Tensor {
  return nll(logProbs, targets, opts, 'nll_loss');
}

/**
 * F.cross_entropy on logits (N, C), (C) or (N, C, d1, …, dk) with class-index targets, or with
 * class probabilities: a target tensor of the logits' own shape (PyTorch tells the two apart by
 * dtype; here every tensor is float32, and the shapes differ).
 */
export function crossEntropy(logits: Tensor, targets: Targets, opts: CrossEntropyOptions = {}): Tensor {
  // Classes are dim 1 (dim 0 for an unbatched (C) input).
  const classDim = logits.shape.length <= 1 ? 0 : 1;
  if (targets instanceof Tensor && logits.shape.length > 0 && sameShape(targets.shape, logits.shape)) {
    return probabilityCrossEntropy(logits, targets, classDim, opts);
  }
  if (logits.shape.length === 2 && !opts.weight && !(opts.labelSmoothing ?? 0)) return fusedCrossEntropy(logits, targets, opts);
  return nll(logSoftmax(logits, classDim), targets, opts, 'cross_entropy');
}

/**
 * cross_entropy on (N, C) logits with class-index targets, no weight and no smoothing (the lab's
 * classifiers), log-softmax and NLL in one op: no (N, C) log-probability tensor, one graph node.
 * It repeats the two ops' arithmetic step for step (log p = fround(x − lse), lse = max + log Σ
 * exp(x − max) in float64; dx = g − exp(log p)·Σg with g = fround(−g_loss/count) at the target),
 * so its values and gradients are the unfused ops' bits (test/unit/engine/fused-ops.test.ts).
 */
function fusedCrossEntropy(logits: Tensor, targets: Targets, opts: NllOptions): Tensor {
  const [N, C] = logits.shape;
  const t = targetValues(targets);
  if (t.length !== N) throw new Error(`Expected input batch_size (${N}) to match target batch_size (${t.length}).`);
  const reduction = opts.reduction ?? 'mean';
  const ignore = opts.ignoreIndex ?? -100;
  const x = logits.data;
  const lse = new Float64Array(N);
  const per = new Float64Array(N);
  let count = 0;
  for (let n = 0; n < N; n++) {
    const base = n * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (x[base + c] > m) m = x[base + c];
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[base + c] - m);
    lse[n] = m + Math.log(s);
    const k = t[n];
    if (k === ignore) continue;
    if (!Number.isInteger(k) || k < 0 || k >= C) throw new Error(`Target ${k} is out of bounds.`);
    count += 1;
    per[n] = -Math.fround(x[base + k] - lse[n]);
  }
  let out: Tensor;
  if (reduction === 'none') {
    out = new Tensor(Float32Array.from(per), [N]);
  } else {
    let s = 0;
    for (let n = 0; n < N; n++) s += per[n];
    out = new Tensor(new Float32Array([reduction === 'mean' ? s / count : s]), []);
  }
  return attach(out, 'NllLossBackward', [logits], (g) => {
    const gx = new Float32Array(x.length);
    for (let n = 0; n < N; n++) {
      const k = t[n];
      const base = n * C;
      // The NLL gradient at the target (0 where ignored), rounded to float32 as its tensor holds it.
      const gt = k === ignore ? 0 : Math.fround(0 - (reduction === 'none' ? g[n] : reduction === 'mean' ? g[0] / count : g[0]));
      const sum = 0 + gt; // the row's Σg, as log-softmax's backward adds it
      const l = lse[n];
      for (let c = 0; c < C; c++) gx[base + c] = (c === k ? gt : 0) - Math.exp(Math.fround(x[base + c] - l)) * sum;
    }
    return [gx];
  }, true);
}

/** PyTorch's cross_entropy_loss_prob_target: −Σ_c p_c·log softmax(x)_c, mean over the non-class elements. */
function probabilityCrossEntropy(logits: Tensor, target: Tensor, classDim: number, opts: CrossEntropyOptions): Tensor {
  if (opts.ignoreIndex !== undefined && opts.ignoreIndex >= 0) throw new Error('ignore_index is not supported for floating point target');
  const eps = opts.labelSmoothing ?? 0;
  if (eps < 0 || eps > 1) throw new Error(`label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const C = logits.shape[classDim];
  const w = opts.weight ?? null;
  classWeights(w, C, logits.shape.length, 'cross_entropy: ');
  const t = eps > 0 ? add(mul(target, 1 - eps), eps / C) : target;
  let prod = mul(logSoftmax(logits, classDim), t);
  // The weight broadcasts along the class dim; the mean still divides by N·d1·…·dk, not by weights.
  if (w) prod = mul(prod, classDim === 0 ? w : reshape(w, logits.shape.map((d, i) => (i === 1 ? d : 1))));
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'none') return neg(sum(prod, classDim));
  const total = neg(sum(prod));
  return reduction === 'sum' ? total : div(total, logits.data.length / C);
}

function reduce(t: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? mean(t) : reduction === 'sum' ? sum(t) : t;
}

function checkSameShape(name: string, a: Tensor, b: Tensor): void {
  if (!sameShape(a.shape, b.shape)) {
    // PyTorch only warns and broadcasts; silently broadcasting a (N,1) vs (N) target is a classic bug.
    throw new Error(`${name}: target size ${shapeToString(b.shape)} differs from input size ${shapeToString(a.shape)}`);
  }
}

/** F.mse_loss: (input − target)², averaged by default; the shapes must match. */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSameShape('mse_loss', input, target);
  return reduce(square(sub(input, target)), opts.reduction ?? 'mean');
}

/** F.l1_loss: |input − target|, averaged by default; the shapes must match. */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSameShape('l1_loss', input, target);
  return reduce(abs(sub(input, target)), opts.reduction ?? 'mean');
}
