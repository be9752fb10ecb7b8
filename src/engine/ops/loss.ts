// Losses. crossEntropy = logSoftmax + negative log-likelihood (with PyTorch's ignoreIndex and
// labelSmoothing); regression losses are compositions of differentiable ops.
import { Tensor } from '../tensor';
import { shapeToString, sameShape } from '../shape';
import { logSoftmax } from './softmax';
import { sub, square, abs } from './elementwise';
import { mean, sum } from './reduce';
import { attach } from './graph';

export type Reduction = 'mean' | 'sum' | 'none';

export interface NllOptions {
  reduction?: Reduction;
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  labelSmoothing?: number;
}

type Targets = Tensor | ArrayLike<number>;

function targetValues(t: Targets): ArrayLike<number> {
  return t instanceof Tensor ? t.data : t;
}

/** -logp[target] per row of (N, C) log-probabilities, optionally mixed with uniform smoothing. */
function nll(logp: Tensor, targets: Targets, opts: CrossEntropyOptions, name: string): Tensor {
  const unbatched = logp.shape.length === 1;
  if (logp.shape.length !== 2 && !unbatched) {
    throw new Error(`${name}: expected input of shape (N, C) or (C), got ${shapeToString(logp.shape)}`);
  }
  const N = unbatched ? 1 : logp.shape[0];
  const C = logp.shape[logp.shape.length - 1];
  const t = targetValues(targets);
  if (t.length !== N) throw new Error(`Expected input batch_size (${N}) to match target batch_size (${t.length}).`);
  const reduction = opts.reduction ?? 'mean';
  const ignore = opts.ignoreIndex ?? -100;
  const eps = opts.labelSmoothing ?? 0;
  if (eps < 0 || eps > 1) throw new Error(`label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const lp = logp.data;
  const per = new Float64Array(N);
  let count = 0;
  for (let i = 0; i < N; i++) {
    const k = t[i];
    if (k === ignore) continue;
    if (!Number.isInteger(k) || k < 0 || k >= C) throw new Error(`Target ${k} is out of bounds.`);
    count++;
    let v = -lp[i * C + k];
    if (eps > 0) {
      let s = 0;
      for (let c = 0; c < C; c++) s -= lp[i * C + c];
      v = (1 - eps) * v + (eps / C) * s;
    }
    per[i] = v;
  }
  let out: Tensor;
  if (reduction === 'none') {
    out = new Tensor(Float32Array.from(per), unbatched ? [] : [N]);
  } else {
    let s = 0;
    for (let i = 0; i < N; i++) s += per[i];
    // Mean over non-ignored targets (NaN when all are ignored, as in PyTorch).
    out = new Tensor(new Float32Array([reduction === 'mean' ? s / count : s]), []);
  }
  return attach(out, 'NllLossBackward', [logp], (g) => {
    const gx = new Float32Array(lp.length);
    for (let i = 0; i < N; i++) {
      const k = t[i];
      if (k === ignore) continue;
      const gi = reduction === 'none' ? g[i] : reduction === 'mean' ? g[0] / count : g[0];
      gx[i * C + k] -= (1 - eps) * gi;
      if (eps > 0) for (let c = 0; c < C; c++) gx[i * C + c] -= (eps / C) * gi;
    }
    return [gx];
  });
}

/** F.nll_loss on log-probabilities (N, C) with class-index targets. */
export function nllLoss(logProbs: Tensor, targets: Targets, opts: NllOptions = {}): Tensor {
  return nll(logProbs, targets, opts, 'nll_loss');
}

/** F.cross_entropy on logits (N, C) with class-index targets. */
export function crossEntropy(logits: Tensor, targets: Targets, opts: CrossEntropyOptions = {}): Tensor {
  return nll(logSoftmax(logits, -1), targets, opts, 'cross_entropy');
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

/** F.mse_loss */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSameShape('mse_loss', input, target);
  return reduce(square(sub(input, target)), opts.reduction ?? 'mean');
}

/** F.l1_loss */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSameShape('l1_loss', input, target);
  return reduce(abs(sub(input, target)), opts.reduction ?? 'mean');
}
