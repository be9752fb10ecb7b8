// BatchNorm1d/2d/3d, following torch.nn.modules.batchnorm: running statistics are updated in
// training mode (momentum null ⇒ cumulative average over numBatchesTracked) and used in eval
// mode unless trackRunningStats is false.
import { Tensor } from '../tensor';
import { batchNorm } from '../ops/batch-norm';
import { Module } from './module';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch statistic; null = cumulative moving average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Tensor | null;
  bias: Tensor | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: number;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`numFeatures must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? new Tensor(new Float32Array(numFeatures).fill(1), [numFeatures], true) : null;
    this.bias = this.affine ? new Tensor(new Float32Array(numFeatures), [numFeatures], true) : null;
    this.runningMean = this.trackRunningStats ? new Tensor(new Float32Array(numFeatures), [numFeatures]) : null;
    this.runningVar = this.trackRunningStats ? new Tensor(new Float32Array(numFeatures).fill(1), [numFeatures]) : null;
    this.numBatchesTracked = 0;
    this.registerParameters('weight', 'bias');
    this.registerBuffers('runningMean', 'runningVar');
    // Like PyTorch, the counter is state only when running statistics are tracked.
    if (this.trackRunningStats) this.registerBuffers('numBatchesTracked');
  }

  /** Throws PyTorch's message for an input of the wrong rank. */
  protected abstract checkInputDim(x: Tensor): void;

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    this.runningMean!.data.fill(0);
    this.runningVar!.data.fill(1);
    this.numBatchesTracked = 0;
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      this.weight!.data.fill(1);
      this.bias!.data.fill(0);
    }
  }

  forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    // Same order as PyTorch: the counter moves before the batch-size and feature checks.
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      this.numBatchesTracked += 1;
      factor = this.momentum === null ? 1 / this.numBatchesTracked : this.momentum;
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const C = x.shape[1];
    if (useBatchStats && x.data.length / Math.max(1, C) === 1) {
      throw new Error(`Expected more than 1 value per channel when training, got input size [${x.shape.join(', ')}]`);
    }
    const updateStats = !this.training || this.trackRunningStats;
    return batchNorm(
      x,
      updateStats ? this.runningMean : null,
      updateStats ? this.runningVar : null,
      this.weight,
      this.bias,
      useBatchStats,
      factor,
      this.eps,
    );
  }
}

export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.shape.length !== 2 && x.shape.length !== 3) throw new Error(`expected 2D or 3D input (got ${x.shape.length}D input)`);
  }
}

export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.shape.length !== 4) throw new Error(`expected 4D input (got ${x.shape.length}D input)`);
  }
}

export class BatchNorm3d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.shape.length !== 5) throw new Error(`expected 5D input (got ${x.shape.length}D input)`);
  }
}
