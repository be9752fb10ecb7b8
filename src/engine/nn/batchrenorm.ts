// Batch Renormalization (Ioffe 2017, "Batch Renormalization: Towards Reducing Minibatch Dependence in
// Batch-Normalized Models", Algorithm 1), with the API of BatchNorm1d.
//
// Training mode, per channel c over the batch (and the length axis of (N, C, L) input):
//   μ_B, σ_B = √(var_B + eps)                  batch statistics (biased variance)
//   μ, σ = runningMean, √(runningVar + eps)     the moving averages
//   r = clip(σ_B / σ, 1/rMax, rMax),  d = clip((μ_B − μ) / σ, −dMax, dMax)   (no gradient)
//   x̂ = (x − μ_B) / σ_B · r + d,     y = γ·x̂ + β
// then the moving averages move towards the batch statistics (PyTorch's update: the unbiased batch
// variance, weight `momentum`). Eval mode is BatchNorm's: y = γ·(x − μ) / σ + β.
// r and d are treated as constants in the gradient, as the paper specifies: the backward pass is
// BatchNorm's with γ replaced by γ·r. With rMax = 1 and dMax = 0 (r = 1, d = 0) the layer is BatchNorm1d.
// rMax and dMax are writable so that a training loop can relax them gradually, as the paper does.
import { Tensor } from '../tensor';
import { attach } from '../ops/graph';
import { Module } from './module';

/** Options of BatchRenorm1d. */
export interface BatchRenormOptions {
  /** Added to the variances before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch statistic in the moving averages (default 0.1, like BatchNorm1d). */
  momentum?: number;
  /** Learn a per-channel scale `weight` (γ, starts at 1) and shift `bias` (β, starts at 0) (default true). */
  affine?: boolean;
  /** Upper clip of r = σ_B / σ (≥ 1); the lower clip is 1 / rMax. Default 3 (the paper's final value). */
  rMax?: number;
  /** Clip of |d| = |μ_B − μ| / σ (≥ 0). Default 5 (the paper's final value). */
  dMax?: number;
}

/** Batch renormalization (Ioffe 2017) over a (N, C) or (N, C, L) input: batch norm whose training output is corrected by r = σ_B/σ and d = (μ_B − μ)/σ (clipped by rMax, dMax) toward the running statistics; eval mode is BatchNorm1d's. */
export class BatchRenorm1d extends Module {
  /** Number of channels C (dim 1 of the input). */
  readonly numFeatures: number;
  /** Added to the variances before the square root. */
  readonly eps: number;
  /** Weight of the new batch statistic in the running averages. */
  readonly momentum: number;
  /** Whether `weight` and `bias` are learned. */
  readonly affine: boolean;
  /** Upper clip of r (the lower one is 1/rMax); writable, so a training loop can relax it gradually. */
  rMax: number;
  /** Clip of |d|; writable, so a training loop can relax it gradually. */
  dMax: number;
  /** Per-channel scale γ of shape (C), starts at 1; null without affine. */
  weight: Tensor | null;
  /** Per-channel shift β of shape (C), starts at 0; null without affine. */
  bias: Tensor | null;
  /** Running mean μ of each channel, shape (C), starts at 0. */
  runningMean: Tensor;
  /** Running unbiased variance of each channel, shape (C), starts at 1 (σ = √(runningVar + eps)). */
  runningVar: Tensor;
  /** Number of training-mode forward passes so far. */
  numBatchesTracked: number;
  /** r of the last training-mode forward pass, per channel (for probes; lastD holds d). */
  lastR: Float64Array;
  /** d of the last training-mode forward pass, per channel. */
  lastD: Float64Array;

  constructor(numFeatures: number, opts: BatchRenormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`numFeatures must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.affine = opts.affine ?? true;
    this.rMax = opts.rMax ?? 3;
    this.dMax = opts.dMax ?? 5;
    checkClips(this.rMax, this.dMax);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`momentum must be in [0, 1], got ${this.momentum}`);
    this.weight = this.affine ? new Tensor(new Float32Array(numFeatures).fill(1), [numFeatures], true) : null;
    this.bias = this.affine ? new Tensor(new Float32Array(numFeatures), [numFeatures], true) : null;
    this.runningMean = new Tensor(new Float32Array(numFeatures), [numFeatures]);
    this.runningVar = new Tensor(new Float32Array(numFeatures).fill(1), [numFeatures]);
    this.numBatchesTracked = 0;
    this.lastR = new Float64Array(numFeatures).fill(1);
    this.lastD = new Float64Array(numFeatures);
    this.registerParameters('weight', 'bias');
    this.registerBuffers('runningMean', 'runningVar', 'numBatchesTracked');
  }

  /** Sets runningMean to 0, runningVar to 1 and numBatchesTracked to 0. */
  resetRunningStats(): void {
    this.runningMean.data.fill(0);
    this.runningVar.data.fill(1);
    this.numBatchesTracked = 0;
  }

  /** Renormalizes x (N, C) or (N, C, L) per channel; training mode also updates the running statistics (after computing r and d). */
  forward(x: Tensor): Tensor {
    if (x.shape.length !== 2 && x.shape.length !== 3) throw new Error(`expected 2D or 3D input (got ${x.shape.length}D input)`);
    const N = x.shape[0]!;
    const C = x.shape[1]!;
    if (C !== this.numFeatures) throw new Error(`running_mean should contain ${C} elements not ${this.numFeatures}`);
    const S = x.shape.length === 3 ? x.shape[2]! : 1;
    const M = N * S;
    if (this.training && M <= 1) throw new Error(`Expected more than 1 value per channel when training, got input size [${x.shape.join(', ')}]`);
    checkClips(this.rMax, this.dMax);
    const layout: Layout = { N, C, S, M };
    const training = this.training;
    const stats = training ? this.batchStatistics(x.data, layout) : this.runningStatistics(C);
    const { k, shift } = coefficients(stats, this.weight?.data ?? null, this.bias?.data ?? null, C);
    const y = perChannelAffine(x.data, layout, k, shift);
    const weight = this.weight;
    const bias = this.bias;
    return attach(new Tensor(y, x.shape), 'BatchRenormBackward', [x, weight, bias], (grad) => renormBackward(grad, x, weight, bias, layout, stats, k, training), true);
  }

  /** The batch's statistics with r and d against the running ones, which then move towards the batch's. */
  private batchStatistics(xd: Float32Array, { N, C, S, M }: Layout): Statistics {
    const rm = this.runningMean.data;
    const rv = this.runningVar.data;
    const eps = this.eps;
    const mean = new Float64Array(C);
    const invstd = new Float64Array(C);
    const r = new Float64Array(C).fill(1);
    const d = new Float64Array(C);
    this.numBatchesTracked += 1;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let j = (n * C + c) * S, e = j + S; j < e; j++) s += xd[j]!;
      const m = s / M;
      let q = 0;
      for (let n = 0; n < N; n++) {
        for (let j = (n * C + c) * S, e = j + S; j < e; j++) {
          const v = xd[j]! - m;
          q += v * v;
        }
      }
      const variance = q / M;
      mean[c] = m;
      invstd[c] = 1 / Math.sqrt(variance + eps);
      const sigmaRun = Math.sqrt(rv[c]! + eps);
      r[c] = clip(Math.sqrt(variance + eps) / sigmaRun, 1 / this.rMax, this.rMax);
      d[c] = clip((m - rm[c]!) / sigmaRun, -this.dMax, this.dMax);
      // The moving averages move after r and d are computed from their old values.
      rm[c] = this.momentum * m + (1 - this.momentum) * rm[c]!;
      rv[c] = this.momentum * variance * (M / (M - 1)) + (1 - this.momentum) * rv[c]!;
    }
    this.lastR = r;
    this.lastD = d;
    return { mean, invstd, r, d };
  }

  /** Eval mode: the running statistics, r = 1 and d = 0 (BatchNorm's output). */
  private runningStatistics(C: number): Statistics {
    const rm = this.runningMean.data;
    const rv = this.runningVar.data;
    const mean = new Float64Array(C);
    const invstd = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      mean[c] = rm[c]!;
      invstd[c] = 1 / Math.sqrt(rv[c]! + this.eps);
    }
    return { mean, invstd, r: new Float64Array(C).fill(1), d: new Float64Array(C) };
  }
}

/** An (N, C) or (N, C, L) input as (N, C, S), with M = N·S values per channel. */
interface Layout {
  N: number;
  C: number;
  S: number;
  M: number;
}

/** Per channel: the mean and 1/σ the output is normalized with, and the corrections r and d. */
interface Statistics {
  mean: Float64Array;
  invstd: Float64Array;
  r: Float64Array;
  d: Float64Array;
}

/** y = x·k + shift per channel, with k = γ·r/σ_B and shift = β + γ·(d − μ_B·r/σ_B). */
function coefficients({ mean, invstd, r, d }: Statistics, w: Float32Array | null, b: Float32Array | null, C: number): { k: Float64Array; shift: Float64Array } {
  const k = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const g = w ? w[c]! : 1;
    k[c] = g * r[c]! * invstd[c]!;
    shift[c] = (b ? b[c]! : 0) + g * d[c]! - mean[c]! * k[c]!;
  }
  return { k, shift };
}

function perChannelAffine(xd: Float32Array, { N, C, S }: Layout, k: Float64Array, shift: Float64Array): Float32Array {
  const y = new Float32Array(xd.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const kc = k[c]!;
      const sc = shift[c]!;
      for (let j = (n * C + c) * S, e = j + S; j < e; j++) y[j] = xd[j]! * kc + sc;
    }
  }
  return y;
}

/**
 * Σdy and Σdy·(x − μ) per channel give dγ = Σdy·x̂ (x̂ = (x − μ)·r/σ + d), dβ = Σdy and, in training,
 * dx = k·(dy − mean(dy)) − (x − μ)·k·invstd²·mean(dy·(x − μ)) with k = γ·r·invstd (r, d constant).
 */
function renormBackward(grad: Float32Array, x: Tensor, weight: Tensor | null, bias: Tensor | null, { N, C, S, M }: Layout, { mean, invstd, r, d }: Statistics, k: Float64Array, training: boolean): (Float32Array | null)[] {
  const xd = x.data;
  const sumDy = new Float64Array(C);
  const sumDyXc = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = mean[c]!;
      let a = 0;
      let q = 0;
      for (let j = (n * C + c) * S, e = j + S; j < e; j++) {
        const g = grad[j]!;
        a += g;
        q += g * (xd[j]! - m);
      }
      sumDy[c] += a;
      sumDyXc[c] += q;
    }
  }
  let gx: Float32Array | null = null;
  if (x.requiresGrad) {
    gx = new Float32Array(xd.length);
    const e1 = new Float64Array(C);
    const d1 = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      if (training) {
        e1[c] = (-k[c]! * invstd[c]! * invstd[c]! * sumDyXc[c]!) / M;
        d1[c] = (-k[c]! * sumDy[c]!) / M - mean[c]! * e1[c]!;
      }
    }
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const kc = k[c]!;
        const ec = e1[c]!;
        const dc = d1[c]!;
        for (let j = (n * C + c) * S, e = j + S; j < e; j++) gx[j] = grad[j]! * kc + xd[j]! * ec + dc;
      }
    }
  }
  let gw: Float32Array | null = null;
  let gb: Float32Array | null = null;
  if (weight && weight.requiresGrad) {
    gw = new Float32Array(C);
    for (let c = 0; c < C; c++) gw[c] = sumDyXc[c]! * r[c]! * invstd[c]! + d[c]! * sumDy[c]!;
  }
  if (bias && bias.requiresGrad) gb = Float32Array.from(sumDy);
  return [gx, gw, gb];
}

function clip(v: number, low: number, high: number): number {
  return v < low ? low : v > high ? high : v;
}

function checkClips(rMax: number, dMax: number): void {
  if (!(rMax >= 1) || !Number.isFinite(rMax)) throw new Error(`rMax must be a finite number ≥ 1, got ${rMax}`);
  if (!(dMax >= 0) || !Number.isFinite(dMax)) throw new Error(`dMax must be a finite number ≥ 0, got ${dMax}`);
}
