import type { Tensor } from '../tensor';
import { leakyRelu, relu, sigmoid, tanh } from '../ops/elementwise';
import { logSoftmax, softmax } from '../ops/softmax';
import { dropout } from '../ops/dropout';
import type { Generator } from '../random';
import { Module } from './module';

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}

export class Softmax extends Module {
  constructor(readonly dim: number) { super(); }
  forward(x: Tensor): Tensor { return softmax(x, this.dim); }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) { super(); }
  forward(x: Tensor): Tensor { return logSoftmax(x, this.dim); }
}

export interface DropoutOptions {
  generator?: Generator | null;
}

/** Inverted dropout in training mode; identity in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator | null;

  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super();
    if (p < 0 || p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.generator = opts.generator ?? null;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }
}
