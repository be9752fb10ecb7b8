import { Tensor } from '../tensor';
import { linear } from '../ops/linalg';
import { defaultLayerInit_ } from '../init';
import type { Generator } from '../random';
import { Module } from './module';
import { allocateLasting } from '../storage';

/** Options of Linear. */
export interface LinearOptions {
  /** Learn an additive bias of shape (outFeatures) (default true). */
  bias?: boolean;
  /** Generator for the default init (the global one if omitted). */
  generator?: Generator | null;
}

/** Fully connected layer y = x·Wᵀ + b over the last dim, (…, inFeatures) → (…, outFeatures), with W of shape (outFeatures, inFeatures). Like torch.nn.Linear. */
export class Linear extends Module {
  /** Size of the last input dim. */
  readonly inFeatures: number;
  /** Size of the last output dim. */
  readonly outFeatures: number;
  /** W of shape (outFeatures, inFeatures), drawn from U(±1/√inFeatures) like PyTorch's default. */
  weight: Tensor;
  /** b of shape (outFeatures), drawn from U(±1/√inFeatures); null with bias: false. */
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Tensor(allocateLasting(outFeatures * inFeatures), [outFeatures, inFeatures], true);
    this.bias = opts.bias ?? true ? new Tensor(new Float32Array(outFeatures), [outFeatures], true) : null;
    this.registerParameters('weight', 'bias');
    this.resetParameters(opts.generator);
  }

  /** Redraws weight and bias with PyTorch's default init, U(±1/√inFeatures), from `generator` or the global one. */
  resetParameters(generator?: Generator | null): void {
    defaultLayerInit_(this.weight, this.bias, { generator });
  }

  /** x·Wᵀ + b: (…, inFeatures) → (…, outFeatures). */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
