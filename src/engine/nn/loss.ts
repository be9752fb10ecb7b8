// Loss modules: thin wrappers over the functional losses, with their options stored like
// PyTorch's attributes. A class weight is a buffer (in the state dict), as in PyTorch.
import type { Tensor } from '../tensor';
import { crossEntropy, mseLoss, nllLoss, type Reduction, type Targets } from '../ops/loss';
import { Module } from './module';

export interface NLLLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
  labelSmoothing?: number;
}

export class NLLLoss extends Module {
  weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;

  constructor(opts: NLLLossOptions = {}) {
    super();
    this.weight = opts.weight ?? null;
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.reduction = opts.reduction ?? 'mean';
    this.registerBuffers('weight');
  }

  forward(input: Tensor, target: Targets): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends Module {
  weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;
  readonly labelSmoothing: number;

  constructor(opts: CrossEntropyLossOptions = {}) {
    super();
    this.weight = opts.weight ?? null;
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.reduction = opts.reduction ?? 'mean';
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.registerBuffers('weight');
  }

  /** Class indices, or class probabilities as a tensor of the input's shape. */
  forward(input: Tensor, target: Targets): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

export class MSELoss extends Module {
  readonly reduction: Reduction;

  constructor(opts: { reduction?: Reduction } = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}
