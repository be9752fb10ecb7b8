// Reductions. Sums accumulate in float64 (PyTorch's CPU accumulation type for float32) and the
// variance is two-pass, so large offsets (1e4 + small noise) don't cancel catastrophically.
import { Tensor } from '../tensor';
import { broadcastStrides, normalizeDim } from '../shape';
import { expandTo, sumToShape, sumToShapeF64 } from './kernels';
import { makePlan } from './plan';
import { attach } from './graph';

export interface VarOptions {
  /** Bessel's correction: 1 = unbiased (PyTorch's default), 0 = population. */
  correction?: number;
  /** Shorthand for correction 1 / 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

function normDims(dim: number | number[] | null | undefined, rank: number): number[] {
  const list = Array.isArray(dim) ? dim : dim === undefined || dim === null ? [] : [dim];
  // An empty list reduces every dim, as PyTorch's sum/mean/var/std(dim=[]) do.
  if (list.length === 0) return Array.from({ length: rank }, (_, i) => i);
  const out = list.map((d) => normalizeDim(d, rank));
  if (new Set(out).size !== out.length) throw new Error('dim appears multiple times in the list of dims');
  return out.sort((a, b) => a - b);
}

function reducedShapes(shape: readonly number[], dims: number[], keepdim: boolean): { kept: number[]; out: number[]; count: number } {
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const out = keepdim ? kept : shape.filter((_, i) => !dims.includes(i));
  let count = 1;
  for (const d of dims) count *= shape[d] ?? 1;
  return { kept, out, count };
}

export function sum(a: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  const dims = normDims(dim, a.shape.length);
  const { kept, out } = reducedShapes(a.shape, dims, keepdim);
  const data = sumToShape(a.data, a.shape, kept);
  const y = new Tensor(data === a.data ? a.data.slice() : data, out);
  return attach(y, 'SumBackward', [a], (g) => [expandTo(g, kept, a.shape)]);
}

export function mean(a: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  const dims = normDims(dim, a.shape.length);
  const { kept, out, count } = reducedShapes(a.shape, dims, keepdim);
  const sums = sumToShapeF64(a.data, a.shape, kept);
  const data = new Float32Array(sums.length);
  for (let i = 0; i < sums.length; i++) data[i] = sums[i] / count;
  const y = new Tensor(data, out);
  return attach(y, 'MeanBackward', [a], (g) => {
    const gs = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) gs[i] = g[i] / count;
    return [expandTo(gs, kept, a.shape)];
  });
}

export function variance(a: Tensor, dim?: number | number[] | null, opts: VarOptions = {}): Tensor {
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const dims = normDims(dim, a.shape.length);
  const { kept, out, count } = reducedShapes(a.shape, dims, opts.keepdim ?? false);
  const means = sumToShapeF64(a.data, a.shape, kept);
  for (let i = 0; i < means.length; i++) means[i] /= count;
  // Second pass over the same broadcast walk: squared deviations from the float64 mean.
  const x = a.data;
  const p = makePlan(a.shape, [broadcastStrides(kept, a.shape)]);
  const off = p.offsets[0];
  const s = p.innerStrides[0];
  const inner = p.inner;
  const ss = new Float64Array(means.length);
  for (let r = 0, i = 0; r < p.outer; r++) {
    for (let j = 0, m = off[r]; j < inner; j++, m += s, i++) {
      const d = x[i] - means[m];
      ss[m] += d * d;
    }
  }
  const denom = Math.max(0, count - correction);
  const data = new Float32Array(ss.length);
  for (let i = 0; i < ss.length; i++) data[i] = ss[i] / denom;
  const y = new Tensor(data, out);
  return attach(y, 'VarBackward', [a], (g) => {
    const gx = new Float32Array(x.length);
    const k = 2 / denom;
    for (let r = 0, i = 0; r < p.outer; r++) {
      for (let j = 0, m = off[r]; j < inner; j++, m += s, i++) gx[i] = g[m] * k * (x[i] - means[m]);
    }
    return [gx];
  });
}

export function std(a: Tensor, dim?: number | number[] | null, opts: VarOptions = {}): Tensor {
  const v = variance(a, dim, opts);
  const data = new Float32Array(v.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.sqrt(v.data[i]);
  const y = new Tensor(data, v.shape);
  return attach(y, 'StdBackward', [v], (g) => {
    const gv = new Float32Array(g.length);
    // PyTorch's std_backward masks std = 0 (constant input) to a zero gradient instead of g/0.
    for (let i = 0; i < g.length; i++) gv[i] = data[i] === 0 ? 0 : g[i] / (2 * data[i]);
    return [gv];
  });
}

function extreme(a: Tensor, sign: 1 | -1): Tensor {
  if (a.data.length === 0) throw new Error('max(): Expected reduction dim to be specified for input.numel() == 0.');
  const x = a.data;
  let best = x[0];
  for (let i = 1; i < x.length; i++) {
    const v = x[i];
    if (v !== v) { best = v; break; } // NaN propagates, as in PyTorch
    if (sign > 0 ? v > best : v < best) best = v;
  }
  const y = new Tensor(new Float32Array([best]), []);
  return attach(y, sign > 0 ? 'MaxBackward' : 'MinBackward', [a], (g) => {
    // PyTorch splits the gradient evenly among ties for a full reduction.
    const gx = new Float32Array(x.length);
    let ties = 0;
    for (let i = 0; i < x.length; i++) if (x[i] === best) ties++;
    for (let i = 0; i < x.length; i++) if (x[i] === best) gx[i] = g[0] / ties;
    return [gx];
  });
}

export function max(a: Tensor): Tensor {
  return extreme(a, 1);
}

export function min(a: Tensor): Tensor {
  return extreme(a, -1);
}

/** Index of the first maximum (as float values in a tensor; not differentiable). */
export function argmax(a: Tensor, dim?: number, keepdim = false): Tensor {
  const x = a.data;
  if (dim === undefined) {
    let bi = 0;
    for (let i = 1; i < x.length; i++) if (x[i] > x[bi] || (x[i] !== x[i] && x[bi] === x[bi])) bi = i;
    return new Tensor(new Float32Array([bi]), keepdim ? a.shape.map(() => 1) : []);
  }
  const d = normalizeDim(dim, a.shape.length);
  const outer = a.shape.slice(0, d).reduce((p, v) => p * v, 1);
  const size = a.shape[d] ?? 1;
  const inner = a.shape.slice(d + 1).reduce((p, v) => p * v, 1);
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let bi = 0;
      let bv = x[base];
      for (let k = 1; k < size; k++) {
        const v = x[base + k * inner];
        if (v > bv || (v !== v && bv === bv)) { bv = v; bi = k; }
      }
      out[o * inner + i] = bi;
    }
  }
  const shape = a.shape.slice();
  if (keepdim) shape[d] = 1;
  else shape.splice(d, 1);
  return new Tensor(out, shape);
}
