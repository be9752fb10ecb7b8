// Joining and splitting along a dim: cat/concat, stack, split, chunk. Splits return narrow()
// pieces, each its own graph node, so using any subset of them gives the right gradient.
import { Tensor } from '../tensor';
import { normalizeDim, sameShape, shapeToString } from '../shape';
import { copyRows, dimSplit } from './rows';
import { attach } from './graph';
import { unsqueeze } from './layout';
import { narrow } from './index-ops';

// PyTorch still skips 1-D empty tensors in cat (once the only empty shape), whatever their rank.
const skipped = (t: Tensor): boolean => t.shape.length === 1 && t.shape[0] === 0;

/** torch.cat: joins tensors of equal shape except along `dim`. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('torch.cat(): expected a non-empty list of Tensors');
  tensors.forEach((t, i) => {
    if (t.shape.length === 0) throw new Error(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const first = tensors.find((t) => !skipped(t));
  if (!first) return attach(new Tensor(new Float32Array(0), [0]), 'CatBackward', [...tensors], () => tensors.map(() => new Float32Array(0)));
  const d = normalizeDim(dim, first.shape.length);
  let total = 0;
  tensors.forEach((t, i) => {
    if (skipped(t)) return;
    if (t.shape.length !== first.shape.length) {
      throw new Error(`Tensors must have same number of dimensions: got ${first.shape.length} and ${t.shape.length}`);
    }
    for (let k = 0; k < t.shape.length; k++) {
      if (k !== d && t.shape[k] !== first.shape[k]) {
        throw new Error(`Sizes of tensors must match except in dimension ${d}. Expected size ${first.shape[k]} but got size ${t.shape[k]} for tensor number ${i} in the list.`);
      }
    }
    total += t.shape[d];
  });
  const shape = first.shape.slice();
  shape[d] = total;
  const [outer, , inner] = dimSplit(shape, d);
  const out = new Float32Array(outer * total * inner);
  const starts: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    starts.push(offset);
    if (skipped(t)) continue;
    const rows = t.shape[d];
    copyRows(t.data, rows, 0, out, total, offset, rows, outer, inner);
    offset += rows;
  }
  return attach(new Tensor(out, shape), 'CatBackward', [...tensors], (g) => tensors.map((t, i) => {
    if (!t.requiresGrad) return null;
    if (skipped(t)) return new Float32Array(0);
    const rows = t.shape[d];
    const gt = new Float32Array(t.data.length);
    copyRows(g, total, starts[i], gt, rows, 0, rows, outer, inner);
    return gt;
  }), true);
}

/** torch.concat: alias of cat. */
export const concat = cat;

/** torch.stack: joins equal-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack expects a non-empty TensorList');
  const first = tensors[0];
  const d = normalizeDim(dim, first.shape.length + 1);
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, first.shape)) {
      throw new Error(`stack expects each tensor to be equal size, but got ${shapeToString(first.shape)} at entry 0 and ${shapeToString(t.shape)} at entry ${i}`);
    }
  });
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

function pieces(a: Tensor, d: number, sizes: readonly number[]): Tensor[] {
  let start = 0;
  return sizes.map((len) => {
    const t = narrow(a, d, start, len);
    start += len;
    return t;
  });
}

/**
 * torch.split: pieces of `splitSizeOrSections` entries along `dim` (the last one may be shorter),
 * or of the given sizes, which must add up to the dim's size.
 */
export function split(a: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  if (a.shape.length === 0) throw new Error('split expects at least a 1-dimensional tensor');
  if (typeof splitSizeOrSections === 'number') {
    const s = splitSizeOrSections;
    if (s < 0) throw new Error(`split expects split_size be non-negative, but got split_size=${s}`);
    const d = normalizeDim(dim, a.shape.length);
    const size = a.shape[d];
    if (s === 0 && size !== 0) throw new Error(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    // A split size larger than the dim still gives one piece (PyTorch keeps this for compatibility).
    const n = s === 0 ? 1 : Math.max(Math.ceil(size / s), 1);
    const sizes = new Array<number>(n).fill(s);
    sizes[n - 1] = s - (s * n - size);
    return pieces(a, d, sizes);
  }
  const sizes = splitSizeOrSections;
  const d = normalizeDim(dim, a.shape.length);
  const size = a.shape[d];
  const listed = `[${sizes.join(', ')}]`;
  if (sizes.some((s) => s < 0)) throw new Error(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${listed}`);
  if (sizes.reduce((p, s) => p + s, 0) !== size) {
    throw new Error(`split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${dim}), but got split_sizes=${listed}`);
  }
  return pieces(a, d, sizes);
}

/**
 * torch.chunk: at most `chunks` pieces of ceil(size / chunks) entries along `dim`, so possibly
 * fewer than `chunks` (e.g. 6 entries in 4 chunks gives 3 pieces of 2), as in PyTorch.
 */
export function chunk(a: Tensor, chunks: number, dim = 0): Tensor[] {
  if (a.shape.length === 0) throw new Error('chunk expects at least a 1-dimensional tensor');
  if (!(chunks > 0)) throw new Error(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(dim, a.shape.length);
  const size = a.shape[d];
  const splitSize = Math.ceil(size / chunks);
  // An empty dim still gives `chunks` empty pieces.
  if (size === 0) return pieces(a, d, new Array<number>(chunks).fill(0));
  return split(a, splitSize, d);
}
