import type { Tensor } from '../tensor';
import { flatten } from '../ops/layout';
import { Module } from './module';

/** new Sequential(m1, m2, …) applies the modules in order, each one's output the next one's input; children are named '0', '1', … Like torch.nn.Sequential. */
export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(...modules: Module[]) {
    super();
    this.layers = modules;
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  /** Number of modules. Like len(sequential). */
  get length(): number {
    return this.layers.length;
  }

  /** The module at position i (negative counts from the end). Like sequential[i]. */
  at(i: number): Module {
    const m = this.layers.at(i);
    if (!m) throw new Error(`index ${i} is out of range`);
    return m;
  }

  /** Passes x through every module in order and returns the last one's output. */
  forward(x: Tensor): Tensor {
    for (const m of this.layers) x = m.forward(x);
    return x;
  }
}

/** new Flatten(startDim = 1, endDim = −1): merges those dims into one (by default all but the batch dim), e.g. (N, C, H, W) → (N, C·H·W). Like torch.nn.Flatten. */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}
