import { Tensor } from '../tensor';
import { linear } from '../ops/linalg';
import { defaultLayerInit_ } from '../init';
import type { Generator } from '../random';
import { Module } from './module';

export interface LinearOptions {
  bias?: boolean;
  /** Generator for the default init (the global one if omitted). */
  generator?: Generator | null;
}

/** y = x·Wᵀ + b with W of shape (outFeatures, inFeatures). */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Tensor(new Float32Array(outFeatures * inFeatures), [outFeatures, inFeatures], true);
    this.bias = opts.bias ?? true ? new Tensor(new Float32Array(outFeatures), [outFeatures], true) : null;
    this.registerParameters('weight', 'bias');
    this.resetParameters(opts.generator);
  }

  resetParameters(generator?: Generator | null): void {
    defaultLayerInit_(this.weight, this.bias, { generator });
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
