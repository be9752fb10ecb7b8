import { Tensor } from '../tensor';
import { conv2d, type Padding, type Pair } from '../ops/conv';
import { maxPool2dWithIndices, type MaxPool2dOptions as PoolOptions, type MaxPoolWithIndices, type PoolPair } from '../ops/pool';
import { defaultLayerInit_ } from '../init';
import type { Generator } from '../random';
import { Module } from './module';

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  /** Input and output channels split into this many groups (both must be divisible by it). */
  groups?: number;
  bias?: boolean;
  generator?: Generator | null;
}

function pairOf(v: Pair): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/** 2-D convolution, weight (outChannels, inChannels / groups, kh, kw). */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  /** [top/bottom, left/right], or PyTorch's 'same' / 'valid'. */
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: Conv2dOptions = {}) {
    super();
    // PyTorch checks these when the module is built.
    const groups = opts.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new Error('out_channels must be divisible by groups');
    this.groups = groups;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pairOf(kernelSize);
    this.stride = pairOf(opts.stride ?? 1);
    const padding = opts.padding ?? 0;
    // PyTorch refuses this when the module is built, not at its first forward.
    if (padding === 'same' && this.stride.some((s) => s !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
    this.padding = padding === 'same' || padding === 'valid' ? padding : pairOf(padding);
    this.dilation = pairOf(opts.dilation ?? 1);
    const [kh, kw] = this.kernelSize;
    // The default init's fan-in is (inChannels / groups)·kh·kw, read from this shape.
    const cg = inChannels / groups;
    this.weight = new Tensor(new Float32Array(outChannels * cg * kh * kw), [outChannels, cg, kh, kw], true);
    this.bias = opts.bias ?? true ? new Tensor(new Float32Array(outChannels), [outChannels], true) : null;
    this.registerParameters('weight', 'bias');
    this.resetParameters(opts.generator);
  }

  resetParameters(generator?: Generator | null): void {
    defaultLayerInit_(this.weight, this.bias, { generator });
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export type MaxPool2dOptions = Omit<PoolOptions, 'stride' | 'returnIndices'>;

/**
 * new MaxPool2d(kernelSize, stride?, { padding, dilation, ceilMode }). PyTorch's return_indices
 * is `forwardWithIndices(x)` here: `forward` always returns one tensor.
 */
export class MaxPool2d extends Module {
  readonly stride: PoolPair;
  readonly padding: PoolPair;
  readonly dilation: PoolPair;
  readonly ceilMode: boolean;

  constructor(readonly kernelSize: PoolPair, stride: PoolPair | null = null, opts: MaxPool2dOptions = {}) {
    super();
    this.stride = stride ?? kernelSize; // PyTorch's default
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.ceilMode = opts.ceilMode ?? false;
  }

  forwardWithIndices(x: Tensor): MaxPoolWithIndices {
    return maxPool2dWithIndices(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  forward(x: Tensor): Tensor {
    return this.forwardWithIndices(x).output;
  }
}
