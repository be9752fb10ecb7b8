// Comparisons, logical ops, NaN/Inf tests and any/all. The engine has one dtype, so its boolean
// tensor is a float32 tensor of 0s and 1s (what `where` and `maskedFill` accept as a condition).
// Results never require grad, like PyTorch's bool tensors: they are constants to autograd.
import { Tensor, type TensorOrScalar } from '../tensor';
import { broadcastShapes, normalizeDim, sameShape, type Shape } from '../shape';
import { expandTo } from './kernels';
import { dimSplit } from './rows';

type Predicate2 = (u: number, v: number) => boolean;

function operand(t: Tensor, shape: Shape): Float32Array {
  return sameShape(t.shape, shape) ? t.data : expandTo(t.data, t.shape, shape);
}

/** 0/1 where `pred` holds, over `a` and `b` broadcast together. */
function compare(a: Tensor, b: TensorOrScalar, pred: Predicate2): Tensor {
  if (typeof b === 'number') {
    // PyTorch casts a Python scalar to the tensor's float32 before comparing (x == 0.1 is true
    // for x = float32(0.1)).
    const v = Math.fround(b);
    const x = a.data;
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = pred(x[i], v) ? 1 : 0;
    return new Tensor(out, a.shape);
  }
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape);
  const x = operand(a, shape);
  const y = operand(b, shape);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = pred(x[i], y[i]) ? 1 : 0;
  return new Tensor(out, shape);
}

/** torch.eq: 1 where a == b (broadcasting; NaN equals nothing). */
export function eq(a: Tensor, b: TensorOrScalar): Tensor { return compare(a, b, (u, v) => u === v); }
/** torch.ne: 1 where a != b (NaN differs from everything, itself included). */
export function ne(a: Tensor, b: TensorOrScalar): Tensor { return compare(a, b, (u, v) => u !== v); }
/** torch.lt: 1 where a < b. */
export function lt(a: Tensor, b: TensorOrScalar): Tensor { return compare(a, b, (u, v) => u < v); }
/** torch.le: 1 where a <= b. */
export function le(a: Tensor, b: TensorOrScalar): Tensor { return compare(a, b, (u, v) => u <= v); }
/** torch.gt: 1 where a > b. */
export function gt(a: Tensor, b: TensorOrScalar): Tensor { return compare(a, b, (u, v) => u > v); }
/** torch.ge: 1 where a >= b. */
export function ge(a: Tensor, b: TensorOrScalar): Tensor { return compare(a, b, (u, v) => u >= v); }

// Logical ops read any non-zero value (NaN included) as true, as PyTorch does for float inputs.
const truthy = (u: number): boolean => u !== 0;

/** torch.logical_and (broadcasting; non-zero is true). */
export function logicalAnd(a: Tensor, b: Tensor): Tensor { return compare(a, b, (u, v) => truthy(u) && truthy(v)); }
/** torch.logical_or (broadcasting; non-zero is true). */
export function logicalOr(a: Tensor, b: Tensor): Tensor { return compare(a, b, (u, v) => truthy(u) || truthy(v)); }
/** torch.logical_xor (broadcasting; non-zero is true). */
export function logicalXor(a: Tensor, b: Tensor): Tensor { return compare(a, b, (u, v) => truthy(u) !== truthy(v)); }

function test(a: Tensor, pred: (u: number) => boolean): Tensor {
  const x = a.data;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = pred(x[i]) ? 1 : 0;
  return new Tensor(out, a.shape);
}

/** torch.logical_not: 1 where the value is 0. */
export function logicalNot(a: Tensor): Tensor { return test(a, (u) => !truthy(u)); }
/** torch.isnan. */
export function isnan(a: Tensor): Tensor { return test(a, (u) => u !== u); }
/** torch.isinf: 1 at +Infinity and -Infinity. */
export function isinf(a: Tensor): Tensor { return test(a, (u) => u === Infinity || u === -Infinity); }
/** torch.isfinite: 1 where the value is neither NaN nor ±Infinity. */
export function isfinite(a: Tensor): Tensor { return test(a, Number.isFinite); }
/** Tensor.bool(): the engine's boolean tensor, 1 where the value is non-zero (NaN included). */
export function toBool(a: Tensor): Tensor { return test(a, truthy); }

/**
 * Tensor.long() for a single-dtype engine: values truncated toward zero, without grad (PyTorch's
 * integer tensors cannot require grad). Integers beyond 2^24 are not exact in float32.
 */
export function toLong(a: Tensor): Tensor {
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.trunc(a.data[i]);
  return new Tensor(out, a.shape);
}

/** any / all over every element, or along one dim (PyTorch 1.13 takes a single int dim). */
function reduceTruth(a: Tensor, dim: number | undefined, keepdim: boolean, isAny: boolean): Tensor {
  const x = a.data;
  if (dim === undefined) {
    let hit = !isAny;
    for (let i = 0; i < x.length; i++) {
      if (truthy(x[i]) === isAny) { hit = isAny; break; }
    }
    return new Tensor(new Float32Array([hit ? 1 : 0]), []);
  }
  const d = normalizeDim(dim, a.shape.length);
  const [outer, size, inner] = dimSplit(a.shape, d);
  const out = new Float32Array(outer * inner).fill(isAny ? 0 : 1);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < size; k++) {
      const base = (o * size + k) * inner;
      for (let j = 0; j < inner; j++) if (truthy(x[base + j]) === isAny) out[o * inner + j] = isAny ? 1 : 0;
    }
  }
  const shape = a.shape.slice();
  if (shape.length > 0) {
    if (keepdim) shape[d] = 1;
    else shape.splice(d, 1);
  }
  return new Tensor(out, shape);
}

/** torch.any: 1 if any element (along `dim`) is non-zero; of an empty tensor, 0. */
export function any(a: Tensor, dim?: number, keepdim = false): Tensor { return reduceTruth(a, dim, keepdim, true); }
/** torch.all: 1 if every element (along `dim`) is non-zero; of an empty tensor, 1. */
export function all(a: Tensor, dim?: number, keepdim = false): Tensor { return reduceTruth(a, dim, keepdim, false); }
