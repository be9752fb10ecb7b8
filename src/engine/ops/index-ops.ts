// Slicing and indexing along one dim: narrow, select, slice (x[:, a:b:s]), indexSelect, gather.
// Results are copies (tensors are always contiguous), not views as in PyTorch: writing into a
// slice does not change its source. Indices are float32 values holding integers (one dtype).
import { Tensor } from '../tensor';
import { normalizeDim, shapeToString, stridesOf } from '../shape';
import { copyRows, dimSplit, gatherRows, scatterAddRows } from './rows';
import { attach } from './graph';
import { flattenNested, type NestedArray } from '../creation';

/** Index arguments: a tensor of integer values, or (nested) arrays of integers. */
export type IndexLike = Tensor | number | readonly IndexLike[];

/** Flattens an IndexLike into values and a shape (nested arrays must be rectangular). */
export function indexValues(index: IndexLike): { values: ArrayLike<number>; shape: number[] } {
  if (index instanceof Tensor) return { values: index.data, shape: index.shape };
  const { flat, shape } = flattenNested(index as NestedArray, 'index');
  return { values: flat, shape };
}

export function allIntegers(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isInteger(values[i])) return false;
  return true;
}

/** Rows `rows` of `a` along `d` (dropped from the shape when `dropDim`), differentiable. */
function takeRows(a: Tensor, d: number, rows: ArrayLike<number>, name: string, dropDim = false): Tensor {
  const [outer, size, inner] = dimSplit(a.shape, d);
  const shape = a.shape.slice();
  if (shape.length > 0) {
    if (dropDim) shape.splice(d, 1);
    else shape[d] = rows.length;
  }
  const out = gatherRows(a.data, size, rows, outer, inner);
  return attach(new Tensor(out, shape), name, [a], (g) => [scatterAddRows(g, size, rows, outer, inner)], true);
}

/** Rows [start, start + length) along `d`: one block copy per outer index. */
function rowRange(a: Tensor, d: number, start: number, length: number, name: string): Tensor {
  const [outer, size, inner] = dimSplit(a.shape, d);
  const shape = a.shape.slice();
  shape[d] = length;
  const out = new Float32Array(outer * length * inner);
  copyRows(a.data, size, start, out, length, 0, length, outer, inner);
  return attach(new Tensor(out, shape), name, [a], (g) => {
    const gx = new Float32Array(a.data.length);
    copyRows(g, length, 0, gx, size, start, length, outer, inner);
    return [gx];
  }, true);
}

/** torch.narrow: `length` entries along `dim` from `start` (negative start counts from the end). */
export function narrow(a: Tensor, dim: number, start: number, length: number): Tensor {
  if (a.shape.length === 0) throw new Error('narrow() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, a.shape.length);
  const size = a.shape[d];
  // start == size is a valid (empty) start, but PyTorch wraps every other start like a dim.
  const s = start === size ? start : normalizeDim(start, size);
  if (!(Number.isInteger(length) && length >= 0 && s <= size - length)) {
    throw new Error(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  }
  return rowRange(a, d, s, length, 'NarrowBackward');
}

/** torch.select: the slice at `index` along `dim`, which is removed from the shape. */
export function select(a: Tensor, dim: number, index: number): Tensor {
  if (a.shape.length === 0) throw new Error('select() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, a.shape.length);
  const size = a.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new Error(`select(): index ${index} out of range for tensor of size ${shapeToString(a.shape)} at dimension ${d}`);
  }
  return takeRows(a, d, [index < 0 ? index + size : index], 'SelectBackward', true);
}

/**
 * The engine's spelling of Python's `x[:, start:end:step]` on `dim` (torch has no function for it):
 * null/undefined bounds mean the ends, negative bounds count from the end, out-of-range bounds are
 * clamped (so a slice can be empty, never an error). `step` must be positive, as in PyTorch.
 */
export function slice(a: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  for (const v of [start, end, step]) {
    if (v !== null && v !== undefined && !Number.isInteger(v)) throw new Error('slice indices must be integers or None or have an __index__ method');
  }
  if (step === 0) throw new Error('slice step cannot be zero');
  if (a.shape.length === 0) throw new Error('slice() cannot be applied to a 0-dim tensor.');
  if (step < 0) throw new Error('step must be greater than zero');
  const d = normalizeDim(dim, a.shape.length);
  const size = a.shape[d];
  const bound = (v: number | null | undefined, dflt: number): number =>
    v === null || v === undefined ? dflt : v < 0 ? Math.max(v + size, 0) : Math.min(v, size);
  const s = bound(start, 0);
  const e = bound(end, size);
  const count = e > s ? Math.ceil((e - s) / step) : 0;
  if (step === 1) return rowRange(a, d, s, count, 'SliceBackward');
  const rows = Int32Array.from({ length: count }, (_, k) => s + k * step);
  return takeRows(a, d, rows, 'SliceBackward');
}

/**
 * torch.index_select: the entries at `index` (a 1-D tensor or array of integer values) along
 * `dim`. Repeated indices are allowed; their gradients add up.
 */
export function indexSelect(a: Tensor, dim: number, index: Tensor | readonly number[]): Tensor {
  const d = normalizeDim(dim, a.shape.length);
  const { values, shape } = indexValues(index as IndexLike);
  if (shape.length > 1) throw new Error('index_select(): Index is supposed to be a vector');
  if (!allIntegers(values)) throw new Error('index_select(): Expected dtype int32 or int64 for index');
  const rank = a.shape.length;
  if (rank === 0 && values.length !== 1) {
    // PyTorch 1.13 returns a 0-d tensor for any index here; later versions refuse, as we do.
    throw new Error(`index_select(): Index to scalar can have only 1 value, got ${values.length} value(s)`);
  }
  const size = rank === 0 ? 1 : a.shape[d];
  if (rank > 1 && a.data.length === 0 && values.length > 0 && size === 0) {
    throw new Error('index_select(): self indexing axis dim should be positive');
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0 || v >= size) {
      // PyTorch's CPU kernel has a separate path, with its own wording, for dim 1.
      throw new Error(rank > 1 && d === 1
        ? `INDICES element is out of DATA bounds, id=${v} axis_dim=${size}`
        : 'index out of range in self');
    }
  }
  return takeRows(a, d, Int32Array.from(values), 'IndexSelectBackward');
}

/**
 * torch.gather: out[i][j][k] = a[index[i][j][k]][j][k] (for dim 0), shaped like `index`, which
 * has as many dims as `a` and is no larger than `a` outside `dim`. Gradients scatter-add back.
 */
export function gather(a: Tensor, dim: number, index: IndexLike): Tensor {
  const d = normalizeDim(dim, a.shape.length);
  const { values, shape } = indexValues(index);
  if (!allIntegers(values)) throw new Error('gather(): Expected dtype int64 for index');
  // PyTorch counts a 0-d tensor as one dim of size 1 here.
  const selfShape = a.shape.length === 0 ? [1] : a.shape;
  const idxShape = shape.length === 0 ? [1] : shape;
  if (selfShape.length !== idxShape.length) throw new Error('Index tensor must have the same number of dimensions as input tensor');
  for (let i = 0; i < selfShape.length; i++) {
    if (i !== d && idxShape[i] > selfShape[i]) {
      throw new Error(`Size does not match at dimension ${i} expected index ${shapeToString(shape)} to be smaller than self ${shapeToString(a.shape)} apart from dimension ${d}`);
    }
  }
  const size = selfShape[d];
  const strides = stridesOf(selfShape);
  const n = values.length;
  const src = new Int32Array(n);
  const coord = new Array<number>(idxShape.length).fill(0);
  for (let p = 0; p < n; p++) {
    const v = values[p];
    if (v < 0 || v >= size) throw new Error(`index ${v} is out of bounds for dimension ${d} with size ${size}`);
    let off = 0;
    for (let k = 0; k < coord.length; k++) off += (k === d ? v : coord[k]) * strides[k];
    src[p] = off;
    for (let k = coord.length - 1; k >= 0; k--) {
      if (++coord[k] < idxShape[k]) break;
      coord[k] = 0;
    }
  }
  const x = a.data;
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) out[p] = x[src[p]];
  return attach(new Tensor(out, shape), 'GatherBackward', [a], (g) => {
    const gx = new Float32Array(x.length);
    for (let p = 0; p < n; p++) gx[src[p]] += g[p];
    return [gx];
  }, true);
}
