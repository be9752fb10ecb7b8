// torch.nn.init in camelCase. All fills are in place on `.data` (no graph) and draw from the
// given generator or the global one. Aliases without the trailing underscore are exported too.
import type { Tensor } from './tensor';
import { resolveGenerator, type Generator } from './random';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

export interface InitOptions {
  generator?: Generator | null;
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU after this layer (only for 'leaky_relu'). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

/** torch.nn.init.calculate_gain */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
  }
}

/** fan_in = size(1)·receptive field, fan_out = size(0)·receptive field. */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.shape.length < 2) throw new Error('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  resolveGenerator(opts.generator).fillUniform(t.data, a, b);
  return t;
}

export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  resolveGenerator(opts.generator).fillNormal(t.data, mean, std);
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const bound = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, opts);
}

export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const fan = (opts.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  if (fan === 0) throw new Error('Initializing zero-element tensors is a no-op');
  return calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound, opts);
}

export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, opts), opts);
}

/**
 * PyTorch's default init for Linear and Conv layers: kaiming_uniform_(a=√5) on the weight
 * (= U(±1/√fan_in)), then the bias from U(±1/√fan_in).
 */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null, opts: InitOptions = {}): void {
  kaimingUniform_(weight, { a: Math.sqrt(5), generator: opts.generator });
  if (bias) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound, opts);
  }
}

export {
  uniform_ as uniform, normal_ as normal, constant_ as constant, zeros_ as zeros, ones_ as ones,
  xavierUniform_ as xavierUniform, xavierNormal_ as xavierNormal,
  kaimingUniform_ as kaimingUniform, kaimingNormal_ as kaimingNormal,
};
