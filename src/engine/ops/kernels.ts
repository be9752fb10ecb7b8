// Raw array kernels shared by ops and their backward passes (no autograd here).
import { makePlan } from './plan';
import { allocate } from '../storage';
import { broadcastStrides, numelOf, sameShape, type Shape } from '../shape';

/** Copies `src` (of `srcShape`) broadcast to `outShape`. */
export function expandTo(src: Float32Array, srcShape: Shape, outShape: Shape): Float32Array {
  if (sameShape(srcShape, outShape)) return src.slice();
  const out = new Float32Array(numelOf(outShape));
  const p = makePlan(outShape, [broadcastStrides(srcShape, outShape)]);
  const off = p.offsets[0];
  const s = p.innerStrides[0];
  const inner = p.inner;
  for (let r = 0, o = 0; r < p.outer; r++) {
    const base = off[r];
    if (s === 0) {
      out.fill(src[base], o, o + inner);
      o += inner;
    } else {
      for (let j = 0; j < inner; j++) out[o++] = src[base + j * s];
    }
  }
  return out;
}

/**
 * Sums `src` (of `srcShape`) down to `toShape`, which must broadcast to `srcShape`. Accumulates
 * in float64 so long reductions (bias gradients over big batches) stay accurate.
 */
export function sumToShape(src: Float32Array, srcShape: Shape, toShape: Shape): Float32Array {
  if (sameShape(srcShape, toShape)) return src;
  return Float32Array.from(sumToShapeF64(src, srcShape, toShape));
}

/** Like sumToShape but returns the unrounded float64 sums. */
export function sumToShapeF64(src: Float32Array, srcShape: Shape, toShape: Shape): Float64Array {
  const acc = new Float64Array(numelOf(toShape));
  const p = makePlan(srcShape, [broadcastStrides(toShape, srcShape)]);
  const off = p.offsets[0];
  const s = p.innerStrides[0];
  const inner = p.inner;
  for (let r = 0, i = 0; r < p.outer; r++) {
    const base = off[r];
    if (s === 0) {
      let t = 0;
      for (let j = 0; j < inner; j++) t += src[i++];
      acc[base] += t;
    } else {
      for (let j = 0; j < inner; j++) acc[base + j * s] += src[i++];
    }
  }
  return acc;
}

/** Gathers `src` with arbitrary (e.g. permuted) strides into a contiguous array of `outShape`. */
export function gather(src: Float32Array, outShape: Shape, srcStrides: readonly number[]): Float32Array {
  const out = new Float32Array(numelOf(outShape));
  const p = makePlan(outShape, [srcStrides]);
  const off = p.offsets[0];
  const s = p.innerStrides[0];
  const inner = p.inner;
  for (let r = 0, o = 0; r < p.outer; r++) {
    const base = off[r];
    for (let j = 0; j < inner; j++) out[o++] = src[base + j * s];
  }
  return out;
}

export enum BinOp {
  Add,
  Sub,
  Mul,
  Div,
}

/** a (op) b with broadcasting; each result is computed in float64 and rounded once. */
export function binaryBroadcast(op: BinOp, a: Float32Array, aShape: Shape, b: Float32Array, bShape: Shape, outShape: Shape): Float32Array {
  const out = allocate(numelOf(outShape));
  if (sameShape(aShape, outShape) && sameShape(bShape, outShape)) {
    const n = out.length;
    switch (op) {
      case BinOp.Add: for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; break;
      case BinOp.Sub: for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; break;
      case BinOp.Mul: for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; break;
      case BinOp.Div: for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; break;
    }
    return out;
  }
  const p = makePlan(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)]);
  const oa = p.offsets[0], ob = p.offsets[1];
  const sa = p.innerStrides[0], sb = p.innerStrides[1];
  const inner = p.inner;
  for (let r = 0; r < p.outer; r++) {
    let ia = oa[r], ib = ob[r];
    const o0 = r * inner, o1 = o0 + inner;
    switch (op) {
      case BinOp.Add: for (let o = o0; o < o1; o++, ia += sa, ib += sb) out[o] = a[ia] + b[ib]; break;
      case BinOp.Sub: for (let o = o0; o < o1; o++, ia += sa, ib += sb) out[o] = a[ia] - b[ib]; break;
      case BinOp.Mul: for (let o = o0; o < o1; o++, ia += sa, ib += sb) out[o] = a[ia] * b[ib]; break;
      case BinOp.Div: for (let o = o0; o < o1; o++, ia += sa, ib += sb) out[o] = a[ia] / b[ib]; break;
    }
  }
  return out;
}
