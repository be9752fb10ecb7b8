import type { Tensor } from '../tensor';
import { leakyRelu, relu, sigmoid, tanh } from '../ops/elementwise';
import { logSoftmax, softmax } from '../ops/softmax';
import { dropout } from '../ops/dropout';
import type { Generator } from '../random';
import { Module } from './module';

/** max(x, 0) elementwise. Like torch.nn.ReLU. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
}

/** x where x > 0, else negativeSlope·x, elementwise: new LeakyReLU(negativeSlope = 0.01). Like torch.nn.LeakyReLU. */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
}

/** 1 / (1 + e⁻ˣ) elementwise. Like torch.nn.Sigmoid. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}

/** Hyperbolic tangent elementwise. Like torch.nn.Tanh. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
}

/** Returns its input unchanged (a placeholder layer). Like torch.nn.Identity. */
export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}

/** exp(x) / Σ exp(x) along `dim`, e.g. new Softmax(1) for (N, C) logits (each slice sums to 1). Like torch.nn.Softmax. */
export class Softmax extends Module {
  constructor(readonly dim: number) { super(); }
  forward(x: Tensor): Tensor { return softmax(x, this.dim); }
}

/** log(softmax(x)) along `dim`, e.g. new LogSoftmax(1) for (N, C) logits, computed stably. Like torch.nn.LogSoftmax. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) { super(); }
  forward(x: Tensor): Tensor { return logSoftmax(x, this.dim); }
}

/** Options of Dropout. */
export interface DropoutOptions {
  /** Generator of the dropout masks (the global one if omitted). */
  generator?: Generator | null;
}

/** In training mode zeroes each element with probability `p` (default 0.5) and scales the rest by 1/(1 − p) (inverted dropout); identity in eval mode. Like torch.nn.Dropout. */
export class Dropout extends Module {
  /** Probability of zeroing each element. */
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
