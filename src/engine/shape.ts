// Shape helpers shared by every op. Tensors are always contiguous and row-major, so a shape alone
// determines the layout.

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapeToString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Wraps a possibly negative dim into [0, rank), with PyTorch's error when it is out of range. */
export function normalizeDim(dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new Error(
      `Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + r : dim;
}

/** NumPy/PyTorch broadcasting of two shapes. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides for reading `shape` as if broadcast to `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  const strides = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    strides[i + offset] = shape[i] === 1 ? 0 : own[i];
  }
  return strides;
}

/** Resolves a single -1 in a reshape target, checking the element count. */
export function inferShape(target: Shape, numel: number): number[] {
  const out = target.slice();
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === -1) {
      if (infer >= 0) throw new Error('only one dimension can be inferred');
      infer = i;
    } else {
      if (!Number.isInteger(out[i]) || out[i] < 0) {
        throw new Error(`invalid shape dimension ${out[i]}`);
      }
      known *= out[i];
    }
  }
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new Error(`shape '${shapeToString(target)}' is invalid for input of size ${numel}`);
    }
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new Error(`shape '${shapeToString(target)}' is invalid for input of size ${numel}`);
  }
  return out;
}
