// Reductions. Sums accumulate in float64 (PyTorch's CPU accumulation type for float32) and the
// variance is two-pass, so large offsets (1e4 + small noise) don't cancel catastrophically.
import { Tensor } from '../tensor';
import { broadcastStrides, normalizeDim } from '../shape';
import { expandTo, sumToShape, sumToShapeF64 } from './kernels';
import { makePlan } from './plan';
import { attach } from './graph';

/** Options of var() and std(). */
export interface VarOptions {
  /** Bessel's correction: 1 = unbiased (PyTorch's default), 0 = population. */
  correction?: number;
  /** Shorthand for correction 1 / 0. */
  unbiased?: boolean;
  /** Keep reduced dims as size 1 (default false). */
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

/** Sum over `dim` (a dim or a list; all dims when omitted); `keepdim` keeps reduced dims as size 1. Like torch.sum. */
export function sum(a: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  const dims = normDims(dim, a.shape.length);
  const { kept, out } = reducedShapes(a.shape, dims, keepdim);
  const data = sumToShape(a.data, a.shape, kept);
  const y = new Tensor(data === a.data ? a.data.slice() : data, out);
  return attach(y, 'SumBackward', [a], (g) => [expandTo(g, kept, a.shape)]);
}

/** Mean over `dim` (all dims when omitted); `keepdim` keeps reduced dims as size 1. Like torch.mean. */
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

/** Variance over `dim` (all dims when omitted), unbiased unless `correction: 0` / `unbiased: false`; `keepdim` in opts. Like torch.var. */
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

/** Standard deviation over `dim` (all dims when omitted), unbiased unless `correction: 0` / `unbiased: false`. Like torch.std. */
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
