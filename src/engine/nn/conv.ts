import { Tensor } from '../tensor';
import { conv2d, maxPool2d, type Padding, type Pair } from '../ops/conv';
import { defaultLayerInit_ } from '../init';
import type { Generator } from '../random';
import { Module } from './module';

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  bias?: boolean;
  generator?: Generator | null;
}

function pairOf(v: Pair): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/** 2-D convolution (groups = 1), weight (outChannels, inChannels, kh, kw). */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  /** [top/bottom, left/right], or PyTorch's 'same' / 'valid'. */
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  weight: Tensor;
  bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: Conv2dOptions = {}) {
    super();
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
    this.weight = new Tensor(new Float32Array(outChannels * inChannels * kh * kw), [outChannels, inChannels, kh, kw], true);
    this.bias = opts.bias ?? true ? new Tensor(new Float32Array(outChannels), [outChannels], true) : null;
    this.registerParameters('weight', 'bias');
    this.resetParameters(opts.generator);
  }

  resetParameters(generator?: Generator | null): void {
    defaultLayerInit_(this.weight, this.bias, { generator });
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly stride: Pair | null = null) {
    super();
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.stride);
  }
}
