// Optimizer base. Updates are written in place into each parameter's Float32Array, and every
// intermediate tensor op PyTorch performs is rounded to float32 (Math.fround) at the same point,
// so a few steps match PyTorch's single-tensor implementation to the last bit or two.
import type { Tensor } from '../tensor';

export const f32 = Math.fround;

/** Base of the optimizers: holds `params` and updates them in place from their .grad on step(). Like torch.optim.Optimizer. */
export abstract class Optimizer {
  /** The parameters it updates, in the order given. */
  readonly params: Tensor[];
  /** Number of step() calls. */
  stepCount = 0;

  constructor(params: Iterable<Tensor>) {
    this.params = [...params];
    if (this.params.length === 0) throw new Error('optimizer got an empty parameter list');
  }

  /** Clears gradients: null by default (PyTorch ≥ 2.0), zeros with setToNone = false. */
  zeroGrad(setToNone = true): void {
    for (const p of this.params) {
      if (setToNone) p.grad = null;
      else if (p.grad) p.grad.data.fill(0);
    }
  }

  /** Updates every parameter that has a .grad, in place on its data (no graph is recorded). Like optimizer.step(). */
  step(): void {
    this.stepCount++;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      if (p.grad) this.update(i, p.data, p.grad.data);
    }
  }

  /** Updates parameter `index` in place from its gradient. */
  protected abstract update(index: number, param: Float32Array, grad: Float32Array): void;
}
