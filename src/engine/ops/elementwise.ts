// Elementwise ops. Values are computed in float64 and rounded to float32 once (on store), which
// gives the correctly rounded float32 result PyTorch's CPU kernels give for + - * / and sqrt.
// Python scalars become float32 first, as they do in PyTorch for a float32 tensor.
import { Tensor, type TensorOrScalar } from '../tensor';
import { broadcastShapes, sameShape } from '../shape';
import { BinOp, binaryBroadcast, sumToShape } from './kernels';
import { attach } from './graph';
import { allocate } from '../storage';
import { activeKernels } from '../kernels/backend';

function result(data: Float32Array, shape: readonly number[]): Tensor {
  return new Tensor(data, shape);
}

function scalarOp(a: Tensor, s: number, op: BinOp, reversed: boolean): Tensor {
  const x = a.data;
  const n = x.length;
  const out = allocate(n);
  const c = Math.fround(s);
  switch (op) {
    case BinOp.Add: for (let i = 0; i < n; i++) out[i] = x[i] + c; break;
    case BinOp.Sub:
      if (reversed) for (let i = 0; i < n; i++) out[i] = c - x[i];
      else for (let i = 0; i < n; i++) out[i] = x[i] - c;
      break;
    case BinOp.Mul: for (let i = 0; i < n; i++) out[i] = x[i] * c; break;
    case BinOp.Div:
      if (reversed) for (let i = 0; i < n; i++) out[i] = c / x[i];
      else for (let i = 0; i < n; i++) out[i] = x[i] / c;
      break;
  }
  const y = result(out, a.shape);
  return attach(y, `${BinOp[op]}ScalarBackward`, [a], (g) => {
    const gx = new Float32Array(n);
    switch (op) {
      case BinOp.Add: return [g];
      case BinOp.Sub:
        if (!reversed) return [g];
        for (let i = 0; i < n; i++) gx[i] = -g[i];
        return [gx];
      case BinOp.Mul: for (let i = 0; i < n; i++) gx[i] = g[i] * c; return [gx];
      case BinOp.Div:
        if (reversed) for (let i = 0; i < n; i++) gx[i] = (-g[i] * out[i]) / x[i];
        else for (let i = 0; i < n; i++) gx[i] = g[i] / c;
        return [gx];
    }
  });
}

function binary(a: Tensor, b: TensorOrScalar, op: BinOp): Tensor {
  if (typeof b === 'number') return scalarOp(a, b, op, false);
  const outShape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape);
  const out = binaryBroadcast(op, a.data, a.shape, b.data, b.shape, outShape);
  const y = result(out, outShape);
  return attach(y, `${BinOp[op]}Backward`, [a, b], (g) => {
    let ga: Float32Array | null = null;
    let gb: Float32Array | null = null;
    switch (op) {
      case BinOp.Add:
        if (a.requiresGrad) ga = sumToShape(g, outShape, a.shape);
        if (b.requiresGrad) gb = sumToShape(g, outShape, b.shape);
        break;
      case BinOp.Sub:
        if (a.requiresGrad) ga = sumToShape(g, outShape, a.shape);
        if (b.requiresGrad) {
          const neg = new Float32Array(g.length);
          for (let i = 0; i < g.length; i++) neg[i] = -g[i];
          gb = sumToShape(neg, outShape, b.shape);
        }
        break;
      case BinOp.Mul:
        if (a.requiresGrad) ga = sumToShape(binaryBroadcast(BinOp.Mul, g, outShape, b.data, b.shape, outShape), outShape, a.shape);
        if (b.requiresGrad) gb = sumToShape(binaryBroadcast(BinOp.Mul, g, outShape, a.data, a.shape, outShape), outShape, b.shape);
        break;
      case BinOp.Div: {
        const gOverB = binaryBroadcast(BinOp.Div, g, outShape, b.data, b.shape, outShape);
        if (a.requiresGrad) ga = sumToShape(gOverB, outShape, a.shape);
        if (b.requiresGrad) {
          // d(a/b)/db = -(a/b)/b: reuse the forward output.
          const t = new Float32Array(g.length);
          for (let i = 0; i < t.length; i++) t[i] = -gOverB[i] * out[i];
          gb = sumToShape(t, outShape, b.shape);
        }
        break;
      }
    }
    return [ga, gb];
  });
}

function asTensor(x: TensorOrScalar): Tensor {
  return typeof x === 'number' ? new Tensor(new Float32Array([x]), []) : x;
}

/** a + alpha·b elementwise, broadcasting (numbers act as scalars; alpha defaults to 1). Like torch.add. */
export function add(a: TensorOrScalar, b: TensorOrScalar, alpha?: number): Tensor {
  if (alpha !== undefined && alpha !== 1) b = typeof b === 'number' ? b * alpha : mul(b, alpha);
  if (typeof a === 'number') return typeof b === 'number' ? asTensor(Math.fround(a) + Math.fround(b)) : scalarOp(b, a, BinOp.Add, true);
  return binary(a, b, BinOp.Add);
}

/** a − alpha·b elementwise, broadcasting (numbers act as scalars; alpha defaults to 1). Like torch.sub. */
export function sub(a: TensorOrScalar, b: TensorOrScalar, alpha?: number): Tensor {
  if (alpha !== undefined && alpha !== 1) b = typeof b === 'number' ? b * alpha : mul(b, alpha);
  if (typeof a === 'number') return typeof b === 'number' ? asTensor(Math.fround(a) - Math.fround(b)) : scalarOp(b, a, BinOp.Sub, true);
  return binary(a, b, BinOp.Sub);
}

/** a · b elementwise, broadcasting (numbers act as scalars). Like torch.mul. */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (typeof a === 'number') return typeof b === 'number' ? asTensor(Math.fround(a) * Math.fround(b)) : scalarOp(b, a, BinOp.Mul, true);
  return binary(a, b, BinOp.Mul);
}

/** a / b elementwise (true division), broadcasting (numbers act as scalars). Like torch.div. */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (typeof a === 'number') return typeof b === 'number' ? asTensor(Math.fround(a) / Math.fround(b)) : scalarOp(b, a, BinOp.Div, true);
  return binary(a, b, BinOp.Div);
}

/**
 * Unary op helper: `f` fills the output, `df` maps (g, x, y) to the input gradient. Both are
 * whole-array loops so the per-element work stays in one monomorphic function.
 */
function unary(
  a: Tensor,
  name: string,
  f: (x: Float32Array, out: Float32Array) => void,
  df: (g: Float32Array, x: Float32Array, y: Float32Array, gx: Float32Array) => void,
): Tensor {
  const out = allocate(a.data.length, false);
  f(a.data, out);
  return attach(result(out, a.shape), name, [a], (g) => {
    const gx = allocate(g.length); // zeros: a df may leave it (pow with exponent 0)
    df(g, a.data, out, gx);
    return [gx];
  }, true);
}

/** −x elementwise. Like torch.neg. */
export function neg(a: Tensor): Tensor {
  return unary(a, 'NegBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = -x[i]; },
    (g, _x, _y, gx) => { for (let i = 0; i < g.length; i++) gx[i] = -g[i]; });
}

/** eˣ elementwise. Like torch.exp. */
export function exp(a: Tensor): Tensor {
  return unary(a, 'ExpBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]); },
    (g, _x, y, gx) => { for (let i = 0; i < g.length; i++) gx[i] = g[i] * y[i]; });
}

/** Natural logarithm elementwise. Like torch.log. */
export function log(a: Tensor): Tensor {
  return unary(a, 'LogBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]); },
    (g, x, _y, gx) => { for (let i = 0; i < g.length; i++) gx[i] = g[i] / x[i]; });
}

/** √x elementwise. Like torch.sqrt. */
export function sqrt(a: Tensor): Tensor {
  return unary(a, 'SqrtBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.sqrt(x[i]); },
    (g, _x, y, gx) => { for (let i = 0; i < g.length; i++) gx[i] = g[i] / (2 * y[i]); });
}

/** 1/√x elementwise. Like torch.rsqrt. */
export function rsqrt(a: Tensor): Tensor {
  return unary(a, 'RsqrtBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = 1 / Math.sqrt(x[i]); },
    (g, _x, y, gx) => { for (let i = 0; i < g.length; i++) gx[i] = -0.5 * g[i] * y[i] * y[i] * y[i]; });
}

/** |x| elementwise (gradient 0 at 0). Like torch.abs. */
export function abs(a: Tensor): Tensor {
  return unary(a, 'AbsBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]); },
    (g, x, _y, gx) => { for (let i = 0; i < g.length; i++) gx[i] = x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0; });
}

/** x² elementwise. Like torch.square. */
export function square(a: Tensor): Tensor {
  return unary(a, 'PowBackward0',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = x[i] * x[i]; },
    (g, x, _y, gx) => { for (let i = 0; i < g.length; i++) gx[i] = 2 * x[i] * g[i]; });
}

/** max(x, 0) elementwise. Like torch.relu / F.relu. */
export function relu(a: Tensor): Tensor {
  return unary(a, 'ReluBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0; },
    (g, _x, y, gx) => activeKernels().elementwise.activationBackward('relu', g, y, gx));
}

/** x where x > 0, else negativeSlope·x (default 0.01), elementwise. Like F.leaky_relu. */
export function leakyRelu(a: Tensor, negativeSlope = 0.01): Tensor {
  const s = Math.fround(negativeSlope);
  return unary(a, 'LeakyReluBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : x[i] * s; },
    (g, x, _y, gx) => { for (let i = 0; i < g.length; i++) gx[i] = x[i] > 0 ? g[i] : g[i] * s; });
}

/** 1 / (1 + e⁻ˣ) elementwise. Like torch.sigmoid. */
export function sigmoid(a: Tensor): Tensor {
  return unary(a, 'SigmoidBackward',
    (x, y) => activeKernels().elementwise.sigmoid(x, y),
    (g, _x, y, gx) => activeKernels().elementwise.activationBackward('sigmoid', g, y, gx));
}

/** Hyperbolic tangent elementwise. Like torch.tanh. */
export function tanh(a: Tensor): Tensor {
  return unary(a, 'TanhBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]); },
    (g, _x, y, gx) => activeKernels().elementwise.activationBackward('tanh', g, y, gx));
}

/**
 * Clamps to [min, max] as PyTorch's min(max(x, min), max): with min > max every value becomes max.
 * NaN stays NaN. The gradient passes where min <= x <= max (nowhere when min > max), as in PyTorch.
 */
export function clamp(a: Tensor, min?: number | null, max?: number | null): Tensor {
  const lo = min === undefined || min === null ? -Infinity : Math.fround(min);
  const hi = max === undefined || max === null ? Infinity : Math.fround(max);
  const floor = Math.min(lo, hi);
  return unary(a, 'ClampBackward',
    (x, y) => { for (let i = 0; i < x.length; i++) y[i] = x[i] < floor ? floor : x[i] > hi ? hi : x[i]; },
    (g, x, _y, gx) => { for (let i = 0; i < g.length; i++) gx[i] = x[i] >= lo && x[i] <= hi ? g[i] : 0; });
}

/** a ** b elementwise for a number or tensor exponent (and a number base), broadcasting. Like torch.pow. */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') {
    const p = Math.fround(b);
    if (p === 2) return square(a);
    return unary(a, 'PowBackward0',
      (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.pow(x[i], p); },
      (g, x, _y, gx) => {
        if (p === 0) return;
        for (let i = 0; i < g.length; i++) gx[i] = g[i] * p * Math.pow(x[i], p - 1);
      });
  }
  const A = asTensor(a);
  const B = asTensor(b);
  const outShape = broadcastShapes(A.shape, B.shape);
  const av = expandData(A, outShape);
  const bv = expandData(B, outShape);
  const out = new Float32Array(av.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.pow(av[i], bv[i]);
  return attach(result(out, outShape), 'PowBackward1', [A, B], (g) => {
    let ga: Float32Array | null = null;
    let gb: Float32Array | null = null;
    if (A.requiresGrad) {
      const t = new Float32Array(g.length);
      for (let i = 0; i < t.length; i++) t[i] = bv[i] === 0 ? 0 : g[i] * bv[i] * Math.pow(av[i], bv[i] - 1);
      ga = sumToShape(t, outShape, A.shape);
    }
    if (B.requiresGrad) {
      const t = new Float32Array(g.length);
      // PyTorch masks base 0 with exponent >= 0 to a zero gradient instead of 0 * -inf.
      for (let i = 0; i < t.length; i++) t[i] = av[i] === 0 && bv[i] >= 0 ? 0 : g[i] * out[i] * Math.log(av[i]);
      gb = sumToShape(t, outShape, B.shape);
    }
    return [ga, gb];
  });
}

function expandData(t: Tensor, shape: readonly number[]): Float32Array {
  if (sameShape(t.shape, shape)) return t.data;
  const zeros = new Float32Array(1);
  return binaryBroadcast(BinOp.Add, t.data, t.shape, zeros, [], shape);
}
