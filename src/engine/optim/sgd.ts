import type { Tensor } from '../tensor';
import { activeKernels } from '../kernels/backend';
import { allocateLasting } from '../storage';
import { Optimizer, f32 } from './optimizer';

/** Options of SGD (lr is required, as in PyTorch). */
export interface SGDOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor μ (default 0: plain SGD). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty: wd·p is added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0; default false). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/**
 * torch.optim.SGD: d = g + wd·p; buf = d (first step) else μ·buf + (1−τ)·d;
 * d = nesterov ? d + μ·buf : buf; p −= lr·d.
 */
export class SGD extends Optimizer {
  /** Learning rate (writable, e.g. for a schedule). */
  lr: number;
  /** Momentum factor μ. */
  readonly momentum: number;
  /** Dampening τ of the momentum. */
  readonly dampening: number;
  /** L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** Whether Nesterov momentum is used. */
  readonly nesterov: boolean;
  /** Whether the objective is maximized. */
  readonly maximize: boolean;
  private readonly buffers: (Float32Array | null)[];

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    super(params);
    if (!(opts.lr >= 0)) throw new Error(`Invalid learning rate: ${opts.lr}`);
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.maximize = opts.maximize ?? false;
    if (this.momentum < 0) throw new Error(`Invalid momentum value: ${this.momentum}`);
    if (this.weightDecay < 0) throw new Error(`Invalid weight_decay value: ${this.weightDecay}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('Nesterov momentum requires a momentum and zero dampening');
    this.buffers = this.params.map(() => null);
  }

  protected update(i: number, p: Float32Array, grad: Float32Array): void {
    const mu = f32(this.momentum);
    let buf = this.buffers[i];
    const firstStep = mu !== 0 && buf === null;
    if (firstStep) {
      buf = allocateLasting(p.length);
      this.buffers[i] = buf;
    }
    // In place, one fused pass per parameter (kernels/elementwise.ts).
    activeKernels().elementwise.sgd(p, grad, mu !== 0 ? buf : null, {
      lr: f32(this.lr),
      weightDecay: f32(this.weightDecay),
      momentum: mu,
      dampFactor: f32(1 - this.dampening),
      maximize: this.maximize,
      nesterov: this.nesterov,
      firstStep,
    });
  }

  /** The momentum buffer of parameter `i` (null before the first step). */
  momentumBuffer(i: number): Float32Array | null {
    return this.buffers[i];
  }
}
