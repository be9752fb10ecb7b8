// Iteration plans for broadcasting and strided gathers. Dims are coalesced first, so the common
// cases (same shape, per-channel broadcast) become one or two long inner loops without
// per-element index arithmetic.

export interface Plan {
  /** Number of inner rows. */
  outer: number;
  /** Length of the contiguous-in-output inner loop. */
  inner: number;
  /** For each operand, the base offset of each row. */
  offsets: Int32Array[];
  /** For each operand, its stride along the inner loop. */
  innerStrides: number[];
}

/**
 * Plan a walk over `shape` (the output, contiguous), reading each operand through its strides
 * (0 on broadcast dims).
 */
export function makePlan(shape: readonly number[], operandStrides: readonly (readonly number[])[]): Plan {
  const k = operandStrides.length;
  // Drop size-1 dims, then merge neighbours that are contiguous for every operand.
  const dims: number[] = [];
  const strides: number[][] = operandStrides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const prev = dims.length - 1;
    let merge = prev >= 0;
    for (let o = 0; o < k && merge; o++) {
      if (strides[o][prev] !== operandStrides[o][d] * shape[d]) merge = false;
    }
    if (merge) {
      dims[prev] *= shape[d];
      for (let o = 0; o < k; o++) strides[o][prev] = operandStrides[o][d];
    } else {
      dims.push(shape[d]);
      for (let o = 0; o < k; o++) strides[o].push(operandStrides[o][d]);
    }
  }
  let total = 1;
  for (const d of shape) total *= d;
  if (dims.length === 0) {
    return {
      outer: total === 0 ? 0 : 1,
      inner: total === 0 ? 0 : 1,
      offsets: operandStrides.map(() => new Int32Array(1)),
      innerStrides: operandStrides.map(() => 0),
    };
  }
  const last = dims.length - 1;
  const inner = dims[last];
  const outer = total / inner;
  const offsets = operandStrides.map(() => new Int32Array(outer));
  // Odometer over the outer dims.
  const idx = new Array<number>(last).fill(0);
  const cur = new Array<number>(k).fill(0);
  for (let r = 0; r < outer; r++) {
    for (let o = 0; o < k; o++) offsets[o][r] = cur[o];
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      for (let o = 0; o < k; o++) cur[o] += strides[o][d];
      if (idx[d] < dims[d]) break;
      for (let o = 0; o < k; o++) cur[o] -= strides[o][d] * dims[d];
      idx[d] = 0;
    }
  }
  return { outer, inner, offsets, innerStrides: strides.map((s) => s[last]) };
}
