// Row kernels for ops that pick positions along one dim (cat, split, narrow, indexSelect...).
// A contiguous tensor seen along dim d is `outer` blocks of `size` rows of `inner` values, so
// every such op is a copy of whole rows between two of these layouts.
import type { Shape } from '../shape';

/** [outer, size, inner] of `shape` seen along `dim` (a 0-d tensor is one row of one value). */
export function dimSplit(shape: Shape, dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape.length === 0 ? 1 : shape[dim], inner];
}

/** Copies rows [srcStart, srcStart + len) of every block of `src` to rows [dstStart, …) of `dst`. */
export function copyRows(
  src: Float32Array, srcRows: number, srcStart: number,
  dst: Float32Array, dstRows: number, dstStart: number,
  len: number, outer: number, inner: number,
): void {
  const n = len * inner;
  if (n === 0) return;
  for (let o = 0; o < outer; o++) {
    const s = (o * srcRows + srcStart) * inner;
    const t = (o * dstRows + dstStart) * inner;
    // set() has a call overhead that only pays off on longer runs.
    if (n < 32) for (let j = 0; j < n; j++) dst[t + j] = src[s + j];
    else dst.set(src.subarray(s, s + n), t);
  }
}

/** out[o, k, :] = src[o, rows[k], :]. */
export function gatherRows(src: Float32Array, size: number, rows: ArrayLike<number>, outer: number, inner: number): Float32Array {
  const n = rows.length;
  const out = new Float32Array(outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const s = (o * size + rows[k]) * inner;
      const t = (o * n + k) * inner;
      for (let j = 0; j < inner; j++) out[t + j] = src[s + j];
    }
  }
  return out;
}

/** The adjoint of gatherRows: gx[o, rows[k], :] += g[o, k, :] (repeated rows accumulate). */
export function scatterAddRows(g: Float32Array, size: number, rows: ArrayLike<number>, outer: number, inner: number): Float32Array {
  const n = rows.length;
  const gx = new Float32Array(outer * size * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const s = (o * size + rows[k]) * inner;
      const t = (o * n + k) * inner;
      for (let j = 0; j < inner; j++) gx[s + j] += g[t + j];
    }
  }
  return gx;
}
