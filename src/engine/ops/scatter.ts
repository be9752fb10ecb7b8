// Writing into positions chosen by an index: scatter, scatterAdd (the adjoint of gather) and
// indexAdd (the adjoint of indexSelect). Out of place, differentiable in the input and the source.
import { Tensor } from '../tensor';
import { broadcastShapes, normalizeDim, sameShape, shapeToString, stridesOf } from '../shape';
import { allIntegers, indexValues, type IndexLike } from './index-ops';
import { dimSplit } from './rows';
import { attach } from './graph';

/** Where each index entry writes (offset in self) and reads (offset in src). */
interface ScatterPlan { targets: Int32Array; sources: Int32Array }

/** PyTorch counts a 0-d tensor as one dim of size 1 in scatter/gather. */
const nonEmpty = (shape: readonly number[]): readonly number[] => (shape.length === 0 ? [1] : shape);

/** PyTorch 1.13's scatter checks, in its order; then the offsets, with bounds checked. */
function plan(a: Tensor, dim: number, index: IndexLike, src: Tensor | null): ScatterPlan & { d: number } {
  const d = normalizeDim(dim, a.shape.length);
  const { values, shape } = indexValues(index);
  if (!allIntegers(values)) throw new Error('scatter(): Expected dtype int64 for index');
  const n = values.length;
  if (n === 0) return { d, targets: new Int32Array(0), sources: new Int32Array(0) };
  const selfShape = nonEmpty(a.shape);
  const idxShape = nonEmpty(shape);
  if (selfShape.length !== idxShape.length) throw new Error('Index tensor must have the same number of dimensions as self tensor');
  let wrong = idxShape.some((s, k) => k !== d && s > selfShape[k]);
  // src may have more dims than self (only the first ones count); fewer raise PyTorch's dim error.
  const srcSize = (k: number): number => (src!.shape.length === 0 ? 1 : src!.shape[normalizeDim(k, src!.shape.length)]);
  if (!wrong && src) wrong = idxShape.some((s, k) => s > srcSize(k));
  if (wrong) {
    const tail = src ? ` and to be smaller size than src ${shapeToString(src.shape)}` : '';
    throw new Error(`Expected index ${shapeToString(shape)} to be smaller than self ${shapeToString(a.shape)} apart from dimension ${d}${tail}`);
  }
  const selfStrides = stridesOf(selfShape);
  const srcStrides = src && src.shape.length > 0 ? stridesOf(src.shape) : new Array<number>(idxShape.length).fill(0);
  const size = selfShape[d];
  const targets = new Int32Array(n);
  const sources = new Int32Array(n);
  const coord = new Array<number>(idxShape.length).fill(0);
  for (let p = 0; p < n; p++) {
    const v = values[p];
    if (v < 0 || v >= size) throw new Error(`index ${v} is out of bounds for dimension ${d} with size ${size}`);
    let t = 0, s = 0;
    for (let k = 0; k < coord.length; k++) {
      t += (k === d ? v : coord[k]) * selfStrides[k];
      s += coord[k] * srcStrides[k];
    }
    targets[p] = t;
    sources[p] = s;
    for (let k = coord.length - 1; k >= 0; k--) {
      if (++coord[k] < idxShape[k]) break;
      coord[k] = 0;
    }
  }
  return { d, targets, sources };
}

/** d(src) of out[targets[p]] = src[sources[p]]: the output gradient gathered back. */
function srcGrad(g: Float32Array, src: Tensor, { targets, sources }: ScatterPlan): Float32Array {
  // Entries of a src larger than the index get zero (PyTorch 1.13 raises in backward there).
  const gs = new Float32Array(src.data.length);
  for (let p = 0; p < targets.length; p++) gs[sources[p]] += g[targets[p]];
  return gs;
}

/**
 * torch.scatter(input, dim, index, src): a copy of `input` with out[index[i][j]][j] = src[i][j]
 * (dim 0; likewise for other dims). `src` is a tensor at least as large as `index`, or a number.
 * Where an index repeats, the last write wins (PyTorch's CPU order; PyTorch leaves it undefined).
 */
export function scatter(a: Tensor, dim: number, index: IndexLike, src: Tensor | number): Tensor {
  const s = typeof src === 'number' ? null : src;
  const pl = plan(a, dim, index, s);
  const out = a.data.slice();
  const { targets, sources } = pl;
  const fill = Math.fround(src as number);
  for (let p = 0; p < targets.length; p++) out[targets[p]] = s ? s.data[sources[p]] : fill;
  return attach(new Tensor(out, a.shape), 'ScatterBackward', [a, s], (g) => {
    // Overwritten entries do not reach the output: their input gradient is zero.
    const ga = g.slice();
    for (let p = 0; p < targets.length; p++) ga[targets[p]] = 0;
    return [ga, s && s.requiresGrad ? srcGrad(g, s, pl) : null];
  }, true);
}

/** torch.scatter_add(input, dim, index, src): a copy of `input` with out[index[i][j]][j] += src[i][j] (dim 0). */
export function scatterAdd(a: Tensor, dim: number, index: IndexLike, src: Tensor): Tensor {
  const pl = plan(a, dim, index, src);
  const out = a.data.slice();
  const { targets, sources } = pl;
  // Float32 additions in PyTorch's CPU order (along dim, per position), so sums round alike.
  for (let p = 0; p < targets.length; p++) out[targets[p]] += src.data[sources[p]];
  return attach(new Tensor(out, a.shape), 'ScatterAddBackward', [a, src], (g) => [
    a.requiresGrad ? g.slice() : null,
    src.requiresGrad ? srcGrad(g, src, pl) : null,
  ], true);
}

/** Options of indexAdd(). */
export interface IndexAddOptions {
  /** Multiplier of `source` (PyTorch's keyword `alpha`). */
  alpha?: number;
}

/** Source slices must match self's outside `dim`: PyTorch 1.13's messages where it refuses. */
function checkSlices(a: Tensor, source: Tensor, d: number): void {
  if (a.shape.length <= 1) return;
  const selfSlice = a.shape.filter((_, k) => k !== d);
  const srcSlice = source.shape.filter((_, k) => k !== d);
  const b = broadcastShapes(selfSlice, srcSlice);
  if (!sameShape(b, selfSlice)) throw new Error(`output with shape ${shapeToString(selfSlice)} doesn't match the broadcast shape ${shapeToString(b)}`);
  if (!sameShape(srcSlice, selfSlice)) {
    // PyTorch 1.13 broadcasts such slices silently; later versions refuse them, as the engine does.
    throw new Error(`index_add_(): source slice shape ${shapeToString(srcSlice)} must match self slice shape ${shapeToString(selfSlice)}`);
  }
}

/**
 * torch.index_add(input, dim, index, source, alpha=1): a copy of `input` with
 * out.select(dim, index[i]) += alpha · source.select(dim, i). `index` is 1-D; repeats accumulate.
 */
export function indexAdd(a: Tensor, dim: number, index: Tensor | readonly number[], source: Tensor, opts: IndexAddOptions = {}): Tensor {
  const alpha = opts.alpha ?? 1;
  const d = normalizeDim(dim, a.shape.length);
  const { values, shape } = indexValues(index as IndexLike);
  if (shape.length > 1) {
    throw new Error(`index_add_(): Index is supposed to be a vector, but got dim: ${shape.length} with type: Long and size: ${shapeToString(shape)}`);
  }
  if (!allIntegers(values)) throw new Error('index_add_(): Expected dtype int32/int64 for index but got: Float');
  const n = values.length;
  const srcRank = source.shape.length;
  if (n !== (srcRank === 0 ? 1 : source.shape[normalizeDim(d, srcRank)])) {
    // PyTorch formats source.size(dim) into this message, which fails first on a 0-d source.
    if (srcRank === 0) throw new Error(`Dimension specified as ${d} but tensor has no dimensions`);
    throw new Error(`index_add_(): Number of indices (${n}) should be equal to source.size(dim): (${source.shape[d]}), for dim: ${d}`);
  }
  const [outer, size, inner] = dimSplit(a.shape, d);
  const bound = (i: number): void => {
    if (values[i] < 0 || values[i] >= size) throw new Error('index out of range in self');
  };
  if (n > 0) bound(0);
  if (n > 0) checkSlices(a, source, d);
  for (let i = 1; i < n; i++) bound(i);
  if (a.shape.length <= 1 && source.data.length !== n) throw new Error(`index_add_(): source must have ${n} elements`);
  const out = a.data.slice();
  const s = source.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const t = (o * size + values[i]) * inner;
      const f = (o * n + i) * inner;
      for (let j = 0; j < inner; j++) out[t + j] += alpha * s[f + j];
    }
  }
  return attach(new Tensor(out, a.shape), 'IndexAddBackward', [a, source], (g) => {
    let gs: Float32Array | null = null;
    if (source.requiresGrad) {
      gs = new Float32Array(s.length);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < n; i++) {
          const t = (o * size + values[i]) * inner;
          const f = (o * n + i) * inner;
          for (let j = 0; j < inner; j++) gs[f + j] = alpha * g[t + j];
        }
      }
    }
    return [a.requiresGrad ? g.slice() : null, gs];
  }, true);
}
