// Average and adaptive pooling modules (parameter-free wrappers of the functional ops).
import type { Tensor } from '../tensor';
import { avgPool2d, type AvgPool2dOptions as AvgOptions } from '../ops/avg-pool';
import { adaptiveAvgPool2d, adaptiveMaxPool2dWithIndices, type AdaptiveSize } from '../ops/adaptive-pool';
import type { MaxPoolWithIndices, PoolPair } from '../ops/pool';
import { Module } from './module';

/** Options of AvgPool2d: padding, ceilMode, countIncludePad, divisorOverride. */
export type AvgPool2dOptions = Omit<AvgOptions, 'stride'>;

/** 2-D average pooling of (N, C, H, W) or (C, H, W) input: new AvgPool2d(kernelSize, stride = kernelSize, { padding, ceilMode, countIncludePad, divisorOverride }). Like torch.nn.AvgPool2d. */
export class AvgPool2d extends Module {
  /** Step between windows (defaults to the kernel size). */
  readonly stride: PoolPair;
  /** Implicit zero padding on each side. */
  readonly padding: PoolPair;
  /** Whether the output size is rounded up. */
  readonly ceilMode: boolean;
  /** Whether padding zeros count in the divisor. */
  readonly countIncludePad: boolean;
  /** Divisor of every window's sum, if set. */
  readonly divisorOverride: number | null;

  constructor(readonly kernelSize: PoolPair, stride: PoolPair | null = null, opts: AvgPool2dOptions = {}) {
    super();
    this.stride = stride ?? kernelSize; // PyTorch's default
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }

  /** The mean of each window: (N, C, H, W) → (N, C, H_out, W_out) (or unbatched (C, H, W)). */
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }
}

/** Average pooling of (N, C, H, W) or (C, H, W) input to a fixed size: new AdaptiveAvgPool2d(outputSize), an int or [h, w] (null keeps that input size). Like torch.nn.AdaptiveAvgPool2d. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  /** (N, C, H, W) or (C, H, W) → (N, C, h, w) or (C, h, w), averaging adaptive windows. */
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** Max pooling of (N, C, H, W) or (C, H, W) input to a fixed size: new AdaptiveMaxPool2d(outputSize), an int or [h, w] (null keeps that input size). Like torch.nn.AdaptiveMaxPool2d; return_indices is `forwardWithIndices(x)`. */
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  /** { output, indices }: the window maxima and, per value, the flat index of its element within its H×W input plane. */
  forwardWithIndices(x: Tensor): MaxPoolWithIndices {
    return adaptiveMaxPool2dWithIndices(x, this.outputSize);
  }

  /** (N, C, H, W) or (C, H, W) → (N, C, h, w) or (C, h, w), the maxima of adaptive windows. */
  forward(x: Tensor): Tensor {
    return this.forwardWithIndices(x).output;
  }
}
