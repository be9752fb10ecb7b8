// LayerNorm, GroupNorm and InstanceNorm1d/2d modules over the fused kernels in ops/row-norm.ts.
import { Tensor } from '../tensor';
import { groupNorm, instanceNorm, layerNorm } from '../ops/row-norm';
import { Module } from './module';

function filled(n: number, v: number, shape: number[], requiresGrad: boolean): Tensor {
  return new Tensor(new Float32Array(n).fill(v), shape, requiresGrad);
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  /** Learn a bias (only with elementwiseAffine). */
  bias?: boolean;
}

/** Normalizes over the trailing `normalizedShape` dims of each sample. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Tensor | null;
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

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

export interface GroupNormOptions {
  eps?: number;
  affine?: boolean;
}

/** Splits channels into `numGroups` contiguous groups; statistics per sample and group. */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Tensor | null;
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

  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

export interface InstanceNormOptions {
  eps?: number;
  /** PyTorch's instance norm has no cumulative (null) mode. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/** Statistics per sample and channel; no affine and no running statistics by default. */
export abstract class InstanceNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Tensor | null;
  bias: Tensor | null;
  runningMean: Tensor | null;
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

export class InstanceNorm1d extends InstanceNormBase {
  protected readonly noBatchDim = 2;
  protected readonly rankText = '2D or 3D';
}

export class InstanceNorm2d extends InstanceNormBase {
  protected readonly noBatchDim = 3;
  protected readonly rankText = '3D or 4D';
}
