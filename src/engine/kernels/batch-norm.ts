// The batch-norm kernel family: the four passes over (N, C, S) data (statistics sums, affine
// output, gradient sums, input gradient) with the per-channel coefficients computed by the op in
// between (ops/batch-norm.ts, float64, for both backends). 'wasm': wasm/norm.ts (f32x4, float32
// partial sums widened into float64). 'js': the op runs the same passes fused per channel block
// (kernels/batch-norm-js.ts), so it has no object of this interface (KernelSet.batchNorm null).

/**
 * The forward's copy of x, left in wasm memory for the backward of the same call. Like a tensor
 * PyTorch saves for backward, it is x as the forward saw it (PyTorch refuses a backward after x
 * was modified in place; the 'js' backend would read the modified x).
 */
export interface SavedInput {
  readonly x: Float32Array;
}

export interface ForwardStats {
  /**
   * In: the shift per channel, float32 values. Out: s1 = Σ(x − sh), s2 = Σ(x − sh)², float64 sums
   * of float32 partial sums (norm.wat): the caller checks them.
   */
  sh: Float64Array;
  s1: Float64Array;
  s2: Float64Array;
}

/** y = (x − m)·k + b per channel, computed in float32 on fround(m) (see norm.wat). */
export interface AffineCoefficients {
  m: Float64Array;
  k: Float64Array;
  b: Float64Array;
}

export interface GradSums {
  /** In: the centre per channel, float32 values. Out: s1 = Σdy, s2 = Σdy·(x − m), as in ForwardStats. */
  m: Float64Array;
  s1: Float64Array;
  s2: Float64Array;
}

/** dx = dy·k + (x − m)·e + d per channel, computed in float32 on fround(m). */
export interface GradCoefficients {
  m: Float64Array;
  k: Float64Array;
  e: Float64Array;
  d: Float64Array;
}

export interface BatchNormKernels {
  /** Largest input (values) these kernels take; larger ones run the 'js' passes. */
  readonly maxValues: number;
  /**
   * Forward on (N, C, S) data: the statistics sums when `stats` is given, then `coefficients()`,
   * then the affine pass. 0 < x.length ≤ maxValues. Null when there is no room to run (the caller
   * runs the 'js' passes instead).
   */
  forward(x: Float32Array, N: number, C: number, S: number, stats: ForwardStats | null, coefficients: () => AffineCoefficients): { y: Float32Array; saved: SavedInput } | null;
  /**
   * Backward: the sums when `sums` is given, then, when `coefficients` is given, `coefficients()`
   * and the input-gradient pass; returns dx (null without `coefficients`). `saved`: the forward's.
   * Null when there is no room to run (the caller runs the 'js' passes instead).
   */
  backward(
    g: Float32Array, x: Float32Array, N: number, C: number, S: number,
    saved: SavedInput | null, sums: GradSums | null, coefficients: (() => GradCoefficients) | null,
  ): { dx: Float32Array | null } | null;
}
