import type { Tensor } from '../tensor';
import { Optimizer, f32 } from './optimizer';

/** Options of Adam. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates [β1, β2] of the running means of the gradient and its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0; not AdamW's decoupled decay). */
  weightDecay?: number;
  /** Use the maximum of the past squared-gradient averages (AMSGrad; default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/**
 * torch.optim.Adam (L2 weight decay added to the gradient, not AdamW):
 * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps).
 */
export class Adam extends Optimizer {
  /** Learning rate (writable, e.g. for a schedule). */
  lr: number;
  /** Decay rates [β1, β2]. */
  readonly betas: [number, number];
  /** Added to the denominator. */
  readonly eps: number;
  /** L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** Whether AMSGrad is used. */
  readonly amsgrad: boolean;
  /** Whether the objective is maximized. */
  readonly maximize: boolean;
  private readonly state: { step: number; m: Float32Array; v: Float32Array; vMax: Float32Array | null }[];

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params);
    this.lr = opts.lr ?? 1e-3;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.amsgrad = opts.amsgrad ?? false;
    this.maximize = opts.maximize ?? false;
    if (!(this.lr >= 0)) throw new Error(`Invalid learning rate: ${this.lr}`);
    if (!(this.eps >= 0)) throw new Error(`Invalid epsilon value: ${this.eps}`);
    for (const [k, b] of this.betas.entries()) {
      if (!(b >= 0 && b < 1)) throw new Error(`Invalid beta parameter at index ${k}: ${b}`);
    }
    this.state = this.params.map((p) => ({
      step: 0,
      m: new Float32Array(p.data.length),
      v: new Float32Array(p.data.length),
      vMax: this.amsgrad ? new Float32Array(p.data.length) : null,
    }));
  }

  protected update(i: number, p: Float32Array, grad: Float32Array): void {
    const st = this.state[i];
    st.step++;
    const [beta1, beta2] = this.betas;
    const b1 = f32(beta1), b2 = f32(beta2);
    const a1 = f32(1 - beta1), a2 = f32(1 - beta2);
    const wd = f32(this.weightDecay);
    // Python-float scalars, rounded to float32 where PyTorch hands them to a tensor op.
    const bc1 = 1 - beta1 ** st.step;
    const bc2Sqrt = f32(Math.sqrt(1 - beta2 ** st.step));
    const negStep = f32(-(this.lr / bc1));
    const eps = f32(this.eps);
    const { m, v, vMax } = st;
    for (let k = 0; k < p.length; k++) {
      let g = this.maximize ? -grad[k] : grad[k];
      if (wd !== 0) g = f32(g + wd * p[k]);
      m[k] = f32(m[k] * b1) + a1 * g;
      v[k] = f32(v[k] * b2) + a2 * g * g;
      let vk = v[k];
      if (vMax) {
        if (vk > vMax[k]) vMax[k] = vk;
        vk = vMax[k];
      }
      const denom = f32(f32(f32(Math.sqrt(vk)) / bc2Sqrt) + eps);
      p[k] = p[k] + negStep * f32(m[k] / denom);
    }
  }
}
