// Loss modules: thin wrappers over the functional losses, with their options stored like
// PyTorch's attributes. A class weight is a buffer (in the state dict), as in PyTorch.
import type { Tensor } from '../tensor';
import { crossEntropy, mseLoss, nllLoss, type Reduction, type Targets } from '../ops/loss';
import { Module } from './module';

/** Options of NLLLoss (and CrossEntropyLoss). */
export interface NLLLossOptions {
  /** Per-class rescaling weight of shape (C); not differentiable. */
  weight?: Tensor | null;
  /** Target value that contributes neither loss nor gradient (default −100). */
  ignoreIndex?: number;
  /** 'mean' (default: mean over the non-ignored targets, weighted), 'sum', or 'none' (one loss per target). */
  reduction?: Reduction;
}

/** Options of CrossEntropyLoss. */
export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Negative log-likelihood of class-index targets (N) given log-probabilities (N, C) (or (C), or (N, C, d1, …) with targets (N, d1, …)). Like torch.nn.NLLLoss. */
export class NLLLoss extends Module {
  /** Per-class rescaling weight of shape (C), or null (a buffer, in the state dict). */
  weight: Tensor | null;
  /** Target value that contributes neither loss nor gradient. */
  readonly ignoreIndex: number;
  /** 'mean', 'sum' or 'none'. */
  readonly reduction: Reduction;

  constructor(opts: NLLLossOptions = {}) {
    super();
    this.weight = opts.weight ?? null;
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.reduction = opts.reduction ?? 'mean';
    this.registerBuffers('weight');
  }

  /** The loss of log-probabilities `input` (N, C) against class indices `target` (N): 0-d, or (N) with reduction 'none'. */
  forward(input: Tensor, target: Targets): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Cross entropy of logits (N, C) against class indices (N) or class probabilities (N, C): log-softmax over C, then NLL; optional class weight, ignoreIndex, labelSmoothing. Like torch.nn.CrossEntropyLoss. */
export class CrossEntropyLoss extends Module {
  /** Per-class rescaling weight of shape (C), or null (a buffer, in the state dict). */
  weight: Tensor | null;
  /** Target value that contributes neither loss nor gradient. */
  readonly ignoreIndex: number;
  /** 'mean', 'sum' or 'none'. */
  readonly reduction: Reduction;
  /** ε: the target becomes (1 − ε)·target + ε/C. */
  readonly labelSmoothing: number;

  constructor(opts: CrossEntropyLossOptions = {}) {
    super();
    this.weight = opts.weight ?? null;
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.reduction = opts.reduction ?? 'mean';
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.registerBuffers('weight');
  }

  /** The loss of logits `input` (N, C) against class indices (N) or class probabilities of the input's shape: 0-d, or per sample with reduction 'none'. */
  forward(input: Tensor, target: Targets): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Mean squared error: (input − target)² averaged ('mean', default), summed ('sum') or per element ('none'); the shapes must match. Like torch.nn.MSELoss. */
export class MSELoss extends Module {
  /** 'mean', 'sum' or 'none'. */
  readonly reduction: Reduction;

  constructor(opts: { reduction?: Reduction } = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
  }

  /** The loss of `input` against `target` of the same shape: 0-d, or input-shaped with reduction 'none'. */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}
