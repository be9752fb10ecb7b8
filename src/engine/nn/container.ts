import type { Tensor } from '../tensor';
import { flatten } from '../ops/layout';
import { Module } from './module';

/** Applies modules in order, each one's output the next one's input; children are named '0', '1', … Like torch.nn.Sequential. */
export class Sequential extends Module {
  private readonly layers: Module[];

  /** new Sequential(layer1, layer2, …): the modules become children named "0", "1", …. */
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

/** Flattens dims startDim..endDim into one (default 1..−1: all but the batch dim), e.g. (N, C, H, W) → (N, C·H·W). Like torch.nn.Flatten. */
export class Flatten extends Module {
  /** new Flatten(startDim = 1, endDim = −1). @param startDim First dim merged. @param endDim Last dim merged (negative counts from the end). */
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}
