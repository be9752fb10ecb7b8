import { Tensor } from '../tensor';
import { conv2d, type Padding, type Pair } from '../ops/conv';
import { maxPool2dWithIndices, type MaxPool2dOptions as PoolOptions, type MaxPoolWithIndices, type PoolPair } from '../ops/pool';
import { defaultLayerInit_ } from '../init';
import type { Generator } from '../random';
import { Module } from './module';
import { allocateLasting } from '../storage';

/** Options of Conv2d. */
export interface Conv2dOptions {
  /** Step of the kernel: an int or [sh, sw] (default 1). */
  stride?: Pair;
  /** Zero padding on each side: an int or [ph, pw], or 'same' / 'valid' (default 0). */
  padding?: Padding;
  /** Spacing between kernel elements: an int or [dh, dw] (default 1). */
  dilation?: Pair;
  /** Input and output channels split into this many groups (both must be divisible by it). */
  groups?: number;
  /** Learn a per-output-channel bias (default true). */
  bias?: boolean;
  /** Generator for the default init (the global one if omitted). */
  generator?: Generator | null;
}

function pairOf(v: Pair): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/** 2-D convolution (cross-correlation, as in PyTorch) of (N, inChannels, H, W) input into outChannels channels, weight (outChannels, inChannels / groups, kh, kw). Like torch.nn.Conv2d. */
export class Conv2d extends Module {
  /** Channels of the input (dim 1, or dim 0 unbatched). */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** [kh, kw]. */
  readonly kernelSize: [number, number];
  /** [sh, sw]. */
  readonly stride: [number, number];
  /** [top/bottom, left/right], or PyTorch's 'same' / 'valid'. */
  readonly padding: [number, number] | 'same' | 'valid';
  /** [dh, dw]. */
  readonly dilation: [number, number];
  /** Number of channel groups convolved separately. */
  readonly groups: number;
  /** Kernels of shape (outChannels, inChannels / groups, kh, kw), drawn from U(±1/√fanIn), fanIn = (inChannels / groups)·kh·kw. */
  weight: Tensor;
  /** Per-output-channel bias of shape (outChannels), drawn from U(±1/√fanIn); null with bias: false. */
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
    this.weight = new Tensor(allocateLasting(outChannels * cg * kh * kw), [outChannels, cg, kh, kw], true);
    this.bias = opts.bias ?? true ? new Tensor(new Float32Array(outChannels), [outChannels], true) : null;
    this.registerParameters('weight', 'bias');
    this.resetParameters(opts.generator);
  }

  /** Redraws weight and bias with PyTorch's default init, U(±1/√fanIn), from `generator` or the global one. */
  resetParameters(generator?: Generator | null): void {
    defaultLayerInit_(this.weight, this.bias, { generator });
  }

  /** (N, inChannels, H, W) or (inChannels, H, W) → (N, outChannels, H_out, W_out) or (outChannels, H_out, W_out). */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

/** Options of MaxPool2d: padding, dilation, ceilMode. */
export type MaxPool2dOptions = Omit<PoolOptions, 'stride' | 'returnIndices'>;

/**
 * 2-D max pooling of (N, C, H, W) or (C, H, W) input: new MaxPool2d(kernelSize, stride = kernelSize, { padding, dilation, ceilMode }).
 * Like torch.nn.MaxPool2d; its return_indices is `forwardWithIndices(x)` here: `forward` always returns one tensor.
 */
export class MaxPool2d extends Module {
  /** Step between windows (defaults to the kernel size). */
  readonly stride: PoolPair;
  /** Implicit −∞ padding on each side. */
  readonly padding: PoolPair;
  /** Spacing between window elements. */
  readonly dilation: PoolPair;
  /** Whether the output size is rounded up. */
  readonly ceilMode: boolean;

  constructor(readonly kernelSize: PoolPair, stride: PoolPair | null = null, opts: MaxPool2dOptions = {}) {
    super();
    this.stride = stride ?? kernelSize; // PyTorch's default
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.ceilMode = opts.ceilMode ?? false;
  }

  /** { output, indices }: the pooled values and, per value, the flat index of its element within its H×W input plane. */
  forwardWithIndices(x: Tensor): MaxPoolWithIndices {
    return maxPool2dWithIndices(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  /** The maxima of each window: (N, C, H, W) → (N, C, H_out, W_out) (or unbatched (C, H, W)). */
  forward(x: Tensor): Tensor {
    return this.forwardWithIndices(x).output;
  }
}
