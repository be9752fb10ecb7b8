// matmul (with PyTorch's 1-D promotion and batch broadcasting) and the fused linear layer op.
import { Tensor } from '../tensor';
import { broadcastShapes, numelOf, shapeToString } from '../shape';
import { expandTo, sumToShape } from './kernels';
import { activeKernels } from '../kernels/backend';
import { gemmNN, gemmNT, gemmTN } from '../kernels/matmul';
import { attach } from './graph';
import { allocate } from '../storage';

function mismatch(a: readonly number[], b: readonly number[]): Error {
  return new Error(`mat1 and mat2 shapes cannot be multiplied (${a.join('x')} and ${b.join('x')})`);
}

/** Matrix product: (…, M, K) @ (…, K, N) → (…, M, N), batch dims broadcast, a 1-D operand promoted and its dim dropped. Like torch.matmul. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.shape.length === 0 || b.shape.length === 0) {
    throw new Error('both arguments to matmul need to be at least 1D, but they are ' + `${a.shape.length}D and ${b.shape.length}D`);
  }
  if (a.shape.length === 1 && b.shape.length === 1) {
    if (a.shape[0] !== b.shape[0]) {
      throw new Error(`inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`);
    }
  }
  // Promote 1-D operands to matrices, remembering which dims to drop afterwards.
  const aShape = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const M = aShape[aShape.length - 2];
  const K = aShape[aShape.length - 1];
  const K2 = bShape[bShape.length - 2];
  const N = bShape[bShape.length - 1];
  if (K !== K2) throw mismatch(aShape.slice(-2), bShape.slice(-2));
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  const nb = numelOf(batch);
  const aFull = [...batch, M, K];
  const bFull = [...batch, K, N];
  const A = numelOf(aFull) === a.data.length ? a.data : expandTo(a.data, aShape, aFull);
  const B = numelOf(bFull) === b.data.length ? b.data : expandTo(b.data, bShape, bFull);
  const out = new Float32Array(nb * M * N);
  for (let t = 0; t < nb; t++) gemmNN(A, B, M, K, N, out, t * M * N, t * M * K, t * K * N);
  const outShape = [...batch];
  if (a.shape.length > 1) outShape.push(M);
  if (b.shape.length > 1) outShape.push(N);
  return attach(new Tensor(out, outShape), 'MmBackward', [a, b], (g) => {
    let ga: Float32Array | null = null;
    let gb: Float32Array | null = null;
    if (a.requiresGrad) {
      const full = new Float32Array(nb * M * K);
      for (let t = 0; t < nb; t++) gemmNT(g, B, M, N, K, full, t * M * K, t * M * N, t * K * N);
      ga = sumToShape(full, aFull, aShape);
    }
    if (b.requiresGrad) {
      const full = new Float32Array(nb * K * N);
      for (let t = 0; t < nb; t++) gemmTN(A, g, K, M, N, full, t * K * N, t * M * K, t * M * N);
      gb = sumToShape(full, bFull, bShape);
    }
    return [ga, gb];
  }, true);
}

/** y = x · Wᵀ + b over the last dim of x; W is (out, in) as in nn.Linear. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.shape.length !== 2) throw new Error(`linear(): weight must be 2-D, got ${shapeToString(weight.shape)}`);
  const [O, I] = weight.shape;
  const inF = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || inF !== I) {
    const rows = x.shape.length <= 1 ? 1 : x.data.length / (inF || 1);
    throw mismatch([rows, inF ?? 1], [I, O]);
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== O)) {
    throw new Error(`linear(): bias must have shape [${O}], got ${shapeToString(bias.shape)}`);
  }
  const R = x.data.length / I;
  const out = gemmNT(x.data, weight.data, R, I, O, allocate(R * O, false), 0, 0, 0, { bias: bias ? bias.data : null });
  const outShape = [...x.shape.slice(0, -1), O];
  return attach(new Tensor(out, outShape), 'AddmmBackward', [x, weight, bias], (g) => {
    const gx = x.requiresGrad ? gemmNN(g, weight.data, R, O, I, allocate(R * I, false)) : null;
    // Pool storage: it becomes weight.grad, which a training loop can dispose() once zeroGrad drops it.
    const gw = weight.requiresGrad ? gemmTN(g, x.data, O, R, I, allocate(O * I, false)) : null;
    let gb: Float32Array | null = null;
    if (bias && bias.requiresGrad) gb = activeKernels().elementwise.columnSums(g, R, O);
    return [gx, gw, gb];
  }, true);
}
