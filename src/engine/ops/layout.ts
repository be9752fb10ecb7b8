// Shape ops. Tensors are always contiguous, so reshape/view share storage (like a PyTorch view)
// while transpose/permute copy into the new row-major order.
import { Tensor } from '../tensor';
import { inferShape, normalizeDim, sameShape, shapeToString, stridesOf } from '../shape';
import { expandTo, gather, sumToShape } from './kernels';
import { attach } from './graph';

/** A copy with its own storage; gradients flow back to `a`. Like torch.clone. */
export function clone(a: Tensor): Tensor {
  return attach(new Tensor(a.data.slice(), a.shape), 'CloneBackward', [a], (g) => [g]);
}

/** The same data in `shape` (one dim may be -1); shares storage. Like torch.reshape. */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, a.data.length);
  if (sameShape(target, a.shape) && !a.requiresGrad) return new Tensor(a.data, target);
  return attach(new Tensor(a.data, target), 'ViewBackward', [a], (g) => [g]);
}

/** Merges dims startDim..endDim into one (all dims by default). Like torch.flatten. */
export function flatten(a: Tensor, startDim = 0, endDim = -1): Tensor {
  if (a.shape.length === 0) return reshape(a, [1]);
  const s = normalizeDim(startDim, a.shape.length);
  const e = normalizeDim(endDim, a.shape.length);
  if (s > e) throw new Error('flatten() has invalid args: start_dim cannot come after end_dim');
  const merged = a.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(a, [...a.shape.slice(0, s), merged, ...a.shape.slice(e + 1)]);
}

/** Inserts a dim of size 1 at `dim`. Like torch.unsqueeze. */
export function unsqueeze(a: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, a.shape.length + 1);
  const shape = a.shape.slice();
  shape.splice(d, 0, 1);
  return reshape(a, shape);
}

/** Removes the dims of size 1 (only `dim`, if given and of size 1). Like torch.squeeze. */
export function squeeze(a: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(a, a.shape.filter((d) => d !== 1));
  const d = normalizeDim(dim, a.shape.length);
  if (a.shape[d] !== 1) return reshape(a, a.shape);
  const shape = a.shape.slice();
  shape.splice(d, 1);
  return reshape(a, shape);
}

/** Reorders the dims by `dims`, e.g. [0, 2, 1] for (N, C, L) → (N, L, C); a copy. Like torch.permute. */
export function permute(a: Tensor, dims: readonly number[]): Tensor {
  const rank = a.shape.length;
  if (dims.length !== rank) {
    throw new Error(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${rank} is not equal to len(dims) = ${dims.length}`);
  }
  const perm = dims.map((d) => normalizeDim(d, rank));
  if (new Set(perm).size !== rank) throw new Error('permute(): duplicate dims are not allowed.');
  const inStrides = stridesOf(a.shape);
  const outShape = perm.map((p) => a.shape[p]);
  const out = gather(a.data, outShape, perm.map((p) => inStrides[p]));
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return attach(new Tensor(out, outShape), 'PermuteBackward', [a], (g) => {
    const gStrides = stridesOf(outShape);
    return [gather(g, a.shape, inverse.map((i) => gStrides[i]))];
  });
}

/** Swaps dims dim0 and dim1 (a copy, not a view). Like torch.transpose. */
export function transpose(a: Tensor, dim0: number, dim1: number): Tensor {
  const rank = a.shape.length;
  if (rank === 0) return a;
  const d0 = normalizeDim(dim0, rank);
  const d1 = normalizeDim(dim1, rank);
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[d0] = d1;
  perm[d1] = d0;
  return permute(a, perm);
}

/** Broadcasts to `shape` (-1 keeps a dim). Copies, since tensors are contiguous. */
export function expand(a: Tensor, shape: readonly number[]): Tensor {
  const offset = shape.length - a.shape.length;
  if (offset < 0) {
    throw new Error(`expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${a.shape.length})`);
  }
  const target = shape.map((d, i) => (d === -1 ? a.shape[i - offset] : d));
  for (let i = 0; i < a.shape.length; i++) {
    const have = a.shape[i];
    const want = target[i + offset];
    if (have !== 1 && have !== want) {
      throw new Error(`The expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i + offset}.  Target sizes: ${shapeToString(target)}.  Tensor sizes: ${shapeToString(a.shape)}`);
    }
  }
  const out = expandTo(a.data, a.shape, target);
  return attach(new Tensor(out, target), 'ExpandBackward', [a], (g) => [sumToShape(g, target, a.shape)]);
}
