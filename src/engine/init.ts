// torch.nn.init in camelCase. All fills are in place on `.data` (no graph) and draw from the
// given generator or the global one. Aliases without the trailing underscore are exported too.
import type { Tensor } from './tensor';
import { resolveGenerator, type Generator } from './random';

/** Nonlinearities calculateGain() knows (PyTorch's names). */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
/** 'fan_in' preserves the variance of the forward pass, 'fan_out' that of the backward pass. */
export type FanMode = 'fan_in' | 'fan_out';

/** Options of the random init functions. */
export interface InitOptions {
  /** The generator to draw from (default: the global one). */
  generator?: Generator | null;
}

/** Options of kaimingUniform_ / kaimingNormal_. */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU after this layer (only for 'leaky_relu'). */
  a?: number;
  /** 'fan_in' (default) or 'fan_out'. */
  mode?: FanMode;
  /** The nonlinearity after this layer, which sets the gain (default 'leaky_relu'). */
  nonlinearity?: Nonlinearity;
}

/** The recommended gain for `nonlinearity` (`param`: leaky_relu's negative slope, default 0.01). Like torch.nn.init.calculate_gain. */
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

/** fanIn = size(1)·receptive field, fanOut = size(0)·receptive field, for a weight of ≥ 2 dims (e.g. (out, in, kh, kw)). */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.shape.length < 2) throw new Error('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** Fills t in place with U(a, b) (default U(0, 1)) and returns it. Like torch.nn.init.uniform_. */
export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  resolveGenerator(opts.generator).fillUniform(t.data, a, b);
  return t;
}

/** Fills t in place with N(mean, std²) (default N(0, 1)) and returns it. Like torch.nn.init.normal_. */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  resolveGenerator(opts.generator).fillNormal(t.data, mean, std);
  return t;
}

/** Fills t in place with `value` and returns it. Like torch.nn.init.constant_. */
export function constant_(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

/** Fills t in place with 0 and returns it. Like torch.nn.init.zeros_. */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills t in place with 1 and returns it. Like torch.nn.init.ones_. */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Fills t (≥ 2-D) in place with U(±gain·√(6 / (fanIn + fanOut))) and returns it. Like torch.nn.init.xavier_uniform_. */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const bound = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, opts);
}

/** Fills t (≥ 2-D) in place with N(0, gain²·2 / (fanIn + fanOut)) and returns it. Like torch.nn.init.xavier_normal_. */
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

/** Fills t (≥ 2-D) in place with U(±√3·gain/√fan), fan by `mode`, gain by `nonlinearity` and `a` (default leaky_relu, a = 0); returns it. Like torch.nn.init.kaiming_uniform_. */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound, opts);
}

/** Fills t (≥ 2-D) in place with N(0, (gain/√fan)²), fan by `mode`, gain by `nonlinearity` and `a`; returns it. Like torch.nn.init.kaiming_normal_. */
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
