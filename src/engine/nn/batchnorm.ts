// BatchNorm1d/2d/3d, following torch.nn.modules.batchnorm: running statistics are updated in
// training mode (momentum null ⇒ cumulative average over numBatchesTracked) and used in eval
// mode unless trackRunningStats is false.
import { Tensor } from '../tensor';
import { batchNorm } from '../ops/batch-norm';
import { Module } from './module';

/** Options of BatchNorm1d/2d/3d (PyTorch's keyword arguments, camelCase). */
export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch statistic in the running averages (default 0.1); null = cumulative moving average. */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (γ, starts at 1) and shift `bias` (β, starts at 0) (default true). */
  affine?: boolean;
  /** Keep running mean and variance for eval mode (default true); without them eval mode normalizes with batch statistics too. */
  trackRunningStats?: boolean;
}

/** Batch normalization shared by BatchNorm1d/2d/3d (PyTorch's _BatchNorm); they differ only in the input rank they accept. */
export abstract class BatchNormBase extends Module {
  /** Number of channels C (dim 1 of the input). */
  readonly numFeatures: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Weight of the new batch statistic in the running averages; null = cumulative average. */
  readonly momentum: number | null;
  /** Whether `weight` and `bias` are learned. */
  readonly affine: boolean;
  /** Whether running statistics are kept (and used in eval mode). */
  readonly trackRunningStats: boolean;
  /** Per-channel scale γ of shape (C), starts at 1; null without affine. */
  weight: Tensor | null;
  /** Per-channel shift β of shape (C), starts at 0; null without affine. */
  bias: Tensor | null;
  /** Running mean of each channel, shape (C), starts at 0; null without trackRunningStats. */
  runningMean: Tensor | null;
  /** Running unbiased variance of each channel, shape (C), starts at 1; null without trackRunningStats. */
  runningVar: Tensor | null;
  /** Number of training-mode forward passes so far (the count of the cumulative average when momentum is null). */
  numBatchesTracked: number;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`numFeatures must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? new Tensor(new Float32Array(numFeatures).fill(1), [numFeatures], true) : null;
    this.bias = this.affine ? new Tensor(new Float32Array(numFeatures), [numFeatures], true) : null;
    this.runningMean = this.trackRunningStats ? new Tensor(new Float32Array(numFeatures), [numFeatures]) : null;
    this.runningVar = this.trackRunningStats ? new Tensor(new Float32Array(numFeatures).fill(1), [numFeatures]) : null;
    this.numBatchesTracked = 0;
    this.registerParameters('weight', 'bias');
    this.registerBuffers('runningMean', 'runningVar');
    // Like PyTorch, the counter is state only when running statistics are tracked.
    if (this.trackRunningStats) this.registerBuffers('numBatchesTracked');
  }

  /** Throws PyTorch's message for an input of the wrong rank. */
  protected abstract checkInputDim(x: Tensor): void;

  /** Sets runningMean to 0, runningVar to 1 and numBatchesTracked to 0. Like reset_running_stats(). */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    this.runningMean!.data.fill(0);
    this.runningVar!.data.fill(1);
    this.numBatchesTracked = 0;
  }

  /** Resets the running statistics, weight to 1 and bias to 0. Like reset_parameters(). */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      this.weight!.data.fill(1);
      this.bias!.data.fill(0);
    }
  }

  /** Normalizes x (N, C, …) per channel: with batch statistics in training mode (updating the running ones), with the running statistics in eval mode. */
  forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    // Same order as PyTorch: the counter moves before the batch-size and feature checks.
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      this.numBatchesTracked += 1;
      factor = this.momentum === null ? 1 / this.numBatchesTracked : this.momentum;
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const C = x.shape[1];
    if (useBatchStats && x.data.length / Math.max(1, C) === 1) {
      throw new Error(`Expected more than 1 value per channel when training, got input size [${x.shape.join(', ')}]`);
    }
    const updateStats = !this.training || this.trackRunningStats;
    return batchNorm(
      x,
      updateStats ? this.runningMean : null,
      updateStats ? this.runningVar : null,
      this.weight,
      this.bias,
      useBatchStats,
      factor,
      this.eps,
    );
  }
}

/** Batch normalization over a (N, C) or (N, C, L) input: normalizes each channel with the batch's mean and biased variance, then scales by `weight` (γ) and shifts by `bias` (β); eval mode uses the running statistics. Like torch.nn.BatchNorm1d. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.shape.length !== 2 && x.shape.length !== 3) throw new Error(`expected 2D or 3D input (got ${x.shape.length}D input)`);
  }
}

/** Batch normalization over a (N, C, H, W) input: normalizes each channel over (N, H, W) with the batch's mean and biased variance, then scales by `weight` (γ) and shifts by `bias` (β); eval mode uses the running statistics. Like torch.nn.BatchNorm2d. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.shape.length !== 4) throw new Error(`expected 4D input (got ${x.shape.length}D input)`);
  }
}

/** Batch normalization over a (N, C, D, H, W) input: normalizes each channel over (N, D, H, W) with the batch's mean and biased variance, then scales by `weight` (γ) and shifts by `bias` (β); eval mode uses the running statistics. Like torch.nn.BatchNorm3d. */
export class BatchNorm3d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.shape.length !== 5) throw new Error(`expected 5D input (got ${x.shape.length}D input)`);
  }
}
