// Average and adaptive pooling modules (parameter-free wrappers of the functional ops).
import type { Tensor } from '../tensor';
import { avgPool2d, type AvgPool2dOptions as AvgOptions } from '../ops/avg-pool';
import { adaptiveAvgPool2d, adaptiveMaxPool2dWithIndices, type AdaptiveSize } from '../ops/adaptive-pool';
import type { MaxPoolWithIndices, PoolPair } from '../ops/pool';
import { Module } from './module';

export type AvgPool2dOptions = Omit<AvgOptions, 'stride'>;

/** new AvgPool2d(kernelSize, stride?, { padding, ceilMode, countIncludePad, divisorOverride }). */
export class AvgPool2d extends Module {
  readonly stride: PoolPair;
  readonly padding: PoolPair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(readonly kernelSize: PoolPair, stride: PoolPair | null = null, opts: AvgPool2dOptions = {}) {
    super();
    this.stride = stride ?? kernelSize; // PyTorch's default
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }
}

/** new AdaptiveAvgPool2d(outputSize): an int, or [h, w] with null keeping that input size. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** new AdaptiveMaxPool2d(outputSize); PyTorch's return_indices is `forwardWithIndices(x)`. */
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  forwardWithIndices(x: Tensor): MaxPoolWithIndices {
    return adaptiveMaxPool2dWithIndices(x, this.outputSize);
  }

  forward(x: Tensor): Tensor {
    return this.forwardWithIndices(x).output;
  }
}
