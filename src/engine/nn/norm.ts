// LayerNorm, GroupNorm and InstanceNorm1d/2d modules over the fused kernels in ops/row-norm.ts.
import { Tensor } from '../tensor';
import { groupNorm, instanceNorm, layerNorm } from '../ops/row-norm';
import { Module } from './module';

function filled(n: number, v: number, shape: number[], requiresGrad: boolean): Tensor {
  return new Tensor(new Float32Array(n).fill(v), shape, requiresGrad);
}

/** Options of LayerNorm. */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn an elementwise `weight` (starts at 1) and `bias` (starts at 0) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** Learn a bias (default true; only with elementwiseAffine). */
  bias?: boolean;
}

/** Layer normalization: normalizes each sample over its trailing `normalizedShape` dims with their mean and biased variance, then applies the elementwise weight and bias. Like torch.nn.LayerNorm. */
export class LayerNorm extends Module {
  /** The trailing dims normalized over, e.g. [C] for an (N, C) input. */
  readonly normalizedShape: number[];
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Whether `weight` and `bias` are learned. */
  readonly elementwiseAffine: boolean;
  /** Elementwise scale of shape normalizedShape, starts at 1; null without elementwiseAffine. */
  weight: Tensor | null;
  /** Elementwise shift of shape normalizedShape, starts at 0; null without elementwiseAffine or with bias: false. */
  bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const n = this.normalizedShape.reduce((p, d) => p * d, 1);
    this.weight = this.elementwiseAffine ? filled(n, 1, this.normalizedShape, true) : null;
    this.bias = this.elementwiseAffine && (opts.bias ?? true) ? filled(n, 0, this.normalizedShape, true) : null;
    this.registerParameters('weight', 'bias');
  }

  /** Normalizes x (…, *normalizedShape) over its trailing dims; the same in training and eval mode. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/** Options of GroupNorm. */
export interface GroupNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a per-channel `weight` (starts at 1) and `bias` (starts at 0) (default true). */
  affine?: boolean;
}

/** Group normalization of (N, C, …) input: channels split into `numGroups` contiguous groups, each normalized per sample with its mean and biased variance, then a per-channel weight and bias. Like torch.nn.GroupNorm. */
export class GroupNorm extends Module {
  /** Number of groups the channels are split into. */
  readonly numGroups: number;
  /** Number of channels C (divisible by numGroups). */
  readonly numChannels: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Whether `weight` and `bias` are learned. */
  readonly affine: boolean;
  /** Per-channel scale of shape (C), starts at 1; null without affine. */
  weight: Tensor | null;
  /** Per-channel shift of shape (C), starts at 0; null without affine. */
  bias: Tensor | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new Error('num_channels must be divisible by num_groups');
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.weight = this.affine ? filled(numChannels, 1, [numChannels], true) : null;
    this.bias = this.affine ? filled(numChannels, 0, [numChannels], true) : null;
    this.registerParameters('weight', 'bias');
  }

  /** Normalizes x (N, C, …) per sample and group; the same in training and eval mode. */
  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

/** Options of InstanceNorm1d/2d. */
export interface InstanceNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new statistic in the running averages (default 0.1); null is refused (PyTorch's instance norm has no cumulative mode). */
  momentum?: number | null;
  /** Learn a per-channel `weight` and `bias` (default false). */
  affine?: boolean;
  /** Keep running mean and variance and use them in eval mode (default false: eval mode uses instance statistics too). */
  trackRunningStats?: boolean;
}

/** Instance normalization shared by InstanceNorm1d/2d: statistics per sample and channel; no affine and no running statistics by default. */
export abstract class InstanceNormBase extends Module {
  /** Number of channels C. */
  readonly numFeatures: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Weight of the new statistic in the running averages. */
  readonly momentum: number;
  /** Whether `weight` and `bias` are learned. */
  readonly affine: boolean;
  /** Whether running statistics are kept (and used in eval mode). */
  readonly trackRunningStats: boolean;
  /** Per-channel scale of shape (C), starts at 1; null without affine. */
  weight: Tensor | null;
  /** Per-channel shift of shape (C), starts at 0; null without affine. */
  bias: Tensor | null;
  /** Running mean of each channel (averaged over the batch), shape (C); null without trackRunningStats. */
  runningMean: Tensor | null;
  /** Running unbiased variance of each channel (averaged over the batch), shape (C); null without trackRunningStats. */
  runningVar: Tensor | null;
  /** Kept for state-dict parity with PyTorch, which never advances it for instance norm. */
  numBatchesTracked = 0;

  /** Rank of an unbatched input (C, L) or (C, H, W). */
  protected abstract readonly noBatchDim: number;
  protected abstract readonly rankText: string;

  constructor(numFeatures: number, opts: InstanceNormOptions = {}) {
    super();
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    if (opts.momentum === null) throw new Error("instance_norm(): argument 'momentum' must be float, not None");
    this.momentum = opts.momentum ?? 0.1;
    this.affine = opts.affine ?? false;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    this.weight = this.affine ? filled(numFeatures, 1, [numFeatures], true) : null;
    this.bias = this.affine ? filled(numFeatures, 0, [numFeatures], true) : null;
    this.runningMean = this.trackRunningStats ? filled(numFeatures, 0, [numFeatures], false) : null;
    this.runningVar = this.trackRunningStats ? filled(numFeatures, 1, [numFeatures], false) : null;
    this.registerParameters('weight', 'bias');
    this.registerBuffers('runningMean', 'runningVar');
    // Like PyTorch, the counter is state only when running statistics are tracked.
    if (this.trackRunningStats) this.registerBuffers('numBatchesTracked');
  }

  /** Normalizes each (sample, channel) of x over its spatial dims; an unbatched input (no N) is accepted. */
  forward(x: Tensor): Tensor {
    const r = x.shape.length;
    if (r !== this.noBatchDim && r !== this.noBatchDim + 1) throw new Error(`expected ${this.rankText} input (got ${r}D input)`);
    const featureDim = r - this.noBatchDim;
    const C = x.shape[featureDim];
    if (C !== this.numFeatures && (this.affine || this.trackRunningStats)) {
      throw new Error(`expected input's size at dim=${featureDim} to match num_features (${this.numFeatures}), but got: ${C}.`);
    }
    const batched = r === this.noBatchDim ? x.unsqueeze(0) : x;
    const y = instanceNorm(
      batched,
      this.runningMean,
      this.runningVar,
      this.weight,
      this.bias,
      this.training || !this.trackRunningStats,
      this.momentum,
      this.eps,
    );
    return r === this.noBatchDim ? y.squeeze(0) : y;
  }
}

/** Instance normalization of (N, C, L) or unbatched (C, L) input: each channel of each sample normalized over L with its own mean and biased variance. Like torch.nn.InstanceNorm1d. */
export class InstanceNorm1d extends InstanceNormBase {
  protected readonly noBatchDim = 2;
  protected readonly rankText = '2D or 3D';
}

/** Instance normalization of (N, C, H, W) or unbatched (C, H, W) input: each channel of each sample normalized over H×W with its own mean and biased variance. Like torch.nn.InstanceNorm2d. */
export class InstanceNorm2d extends InstanceNormBase {
  protected readonly noBatchDim = 3;
  protected readonly rankText = '3D or 4D';
}
