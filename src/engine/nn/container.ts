import type { Tensor } from '../tensor';
import { flatten } from '../ops/layout';
import { Module } from './module';

/** Applies modules in order; children are named '0', '1', … as in PyTorch. */
export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(...modules: Module[]) {
    super();
    this.layers = modules;
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): Module {
    const m = this.layers.at(i);
    if (!m) throw new Error(`index ${i} is out of range`);
    return m;
  }

  forward(x: Tensor): Tensor {
    for (const m of this.layers) x = m.forward(x);
    return x;
  }
}

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}
