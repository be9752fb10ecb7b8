// Value-selecting reductions: max/min (full, or along a dim with indices) and argmax/argmin.
// Along a dim, PyTorch's CPU kernels keep the first extreme on ties and stop at the first NaN;
// the gradient goes to that one selected element.
import { Tensor } from '../tensor';
import { normalizeDim } from '../shape';
import { attach } from './graph';

/** PyTorch's torch.return_types.max / min. Indices are float32 values (the engine has one dtype). */
export interface ValuesAndIndices {
  /** The extreme values, shaped like the input without `dim` (size 1 with keepdim). */
  values: Tensor;
  /** Their positions along `dim`, as float32 integer values. */
  indices: Tensor;
}

type Sign = 1 | -1;

function full(a: Tensor, sign: Sign, name: string): Tensor {
  if (a.data.length === 0) throw new Error(`${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
  const x = a.data;
  let best = x[0];
  for (let i = 1; i < x.length; i++) {
    const v = x[i];
    if (v !== v) { best = v; break; } // NaN propagates, as in PyTorch
    if (sign > 0 ? v > best : v < best) best = v;
  }
  const y = new Tensor(new Float32Array([best]), []);
  return attach(y, sign > 0 ? 'MaxBackward' : 'MinBackward', [a], (g) => {
    // A full reduction splits the gradient evenly among ties (PyTorch's evenly_distribute_backward).
    const gx = new Float32Array(x.length);
    let ties = 0;
    for (let i = 0; i < x.length; i++) if (x[i] === best) ties++;
    for (let i = 0; i < x.length; i++) if (x[i] === best) gx[i] = g[0] / ties;
    return [gx];
  });
}

interface Selection {
  /** Flat input index of the selected element, per output element. */
  picked: Int32Array;
  /** Position along the reduced dim, per output element. */
  positions: Float32Array;
  shape: number[];
}

/** The first extreme along `dim` (the first NaN wins), PyTorch's compare loop `!(v <= best)`. */
function select(a: Tensor, dim: number, keepdim: boolean, sign: Sign, name: string): Selection {
  const d = normalizeDim(dim, a.shape.length);
  const size = a.shape[d] ?? 1;
  if (size === 0) throw new Error(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
  const outer = a.shape.slice(0, d).reduce((p, v) => p * v, 1);
  const inner = a.shape.slice(d + 1).reduce((p, v) => p * v, 1);
  const x = a.data;
  const picked = new Int32Array(outer * inner);
  const positions = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let bi = 0;
      let bv = x[base];
      for (let k = 1; k < size && bv === bv; k++) {
        const v = x[base + k * inner];
        if (sign > 0 ? !(v <= bv) : !(v >= bv)) { bv = v; bi = k; }
      }
      picked[o * inner + i] = base + bi * inner;
      positions[o * inner + i] = bi;
    }
  }
  const shape = a.shape.slice();
  if (a.shape.length > 0) {
    if (keepdim) shape[d] = 1;
    else shape.splice(d, 1);
  }
  return { picked, positions, shape };
}

function alongDim(a: Tensor, dim: number, keepdim: boolean, sign: Sign): ValuesAndIndices {
  const name = sign > 0 ? 'max' : 'min';
  const { picked, positions, shape } = select(a, dim, keepdim, sign, name);
  const x = a.data;
  const values = new Float32Array(picked.length);
  for (let i = 0; i < picked.length; i++) values[i] = x[picked[i]];
  const v = attach(new Tensor(values, shape), sign > 0 ? 'MaxBackward' : 'MinBackward', [a], (g) => {
    const gx = new Float32Array(x.length);
    for (let i = 0; i < picked.length; i++) gx[picked[i]] = g[i];
    return [gx];
  });
  return { values: v, indices: new Tensor(positions, shape) };
}

/** torch.max(x): the largest value as a 0-d tensor (NaN if any value is NaN). */
export function max(a: Tensor): Tensor;
/** { values, indices } of the maxima along `dim` (the first on ties, the first NaN wins); `keepdim` keeps that dim as size 1. Like torch.max(x, dim). */
export function max(a: Tensor, dim: number, keepdim?: boolean): ValuesAndIndices;
export function max(a: Tensor, dim?: number, keepdim = false): Tensor | ValuesAndIndices {
  return dim === undefined ? full(a, 1, 'max') : alongDim(a, dim, keepdim, 1);
}

/** torch.min(x): the smallest value as a 0-d tensor (NaN if any value is NaN). */
export function min(a: Tensor): Tensor;
/** { values, indices } of the minima along `dim` (the first on ties, the first NaN wins); `keepdim` keeps that dim as size 1. Like torch.min(x, dim). */
export function min(a: Tensor, dim: number, keepdim?: boolean): ValuesAndIndices;
export function min(a: Tensor, dim?: number, keepdim = false): Tensor | ValuesAndIndices {
  return dim === undefined ? full(a, -1, 'min') : alongDim(a, dim, keepdim, -1);
}

function argExtreme(a: Tensor, dim: number | undefined, keepdim: boolean, sign: Sign): Tensor {
  const name = sign > 0 ? 'argmax' : 'argmin';
  if (dim === undefined) {
    // Over the flattened tensor; keepdim keeps every dim as size 1.
    if (a.data.length === 0) throw new Error(`${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const flat = new Tensor(a.data, [a.data.length]);
    const { positions } = select(flat, 0, false, sign, name);
    return new Tensor(positions, keepdim ? a.shape.map(() => 1) : []);
  }
  const { positions, shape } = select(a, dim, keepdim, sign, name);
  return new Tensor(positions, shape);
}

/** Index of the first maximum along `dim`, or in the flattened tensor when omitted (NaN counts as the maximum); no grad. Like torch.argmax. */
export function argmax(a: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme(a, dim, keepdim, 1);
}

/** Index of the first minimum along `dim`, or in the flattened tensor when omitted (NaN counts as the minimum); no grad. Like torch.argmin. */
export function argmin(a: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme(a, dim, keepdim, -1);
}
