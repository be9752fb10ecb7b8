// The element-wise kernel family: in-place updates, activations and their gradients over whole arrays,
// and linear's bias gradient (column sums). 'js': elementwise-js.ts
// (float64 arithmetic, rounded to float32 where a Float32Array stores); 'wasm': wasm/elementwise.ts
// (the same operations in f64x2 lanes: the same bits). Chosen in backend.ts.

/**
 * One torch.optim.SGD step for one parameter, all values float32 (`lr` etc. already rounded to
 * float32, as PyTorch holds them in the parameter's dtype):
 *   d = (maximize ? −g : g) + weightDecay·p, buf = firstStep ? d : fround(buf·μ) + dampFactor·d,
 *   d = nesterov ? d + μ·buf : buf (with momentum), p = p − lr·d.
 * Each line rounds its result to float32, like PyTorch's tensor ops.
 */
export interface SgdStep {
  lr: number;
  weightDecay: number;
  momentum: number;
  /** 1 − dampening. */
  dampFactor: number;
  maximize: boolean;
  nesterov: boolean;
  /** The momentum buffer is written, not read (PyTorch's first step: buf = d). */
  firstStep: boolean;
}

/** Activations whose gradient is a function of the output gradient and the forward's output. */
export type Activation = 'sigmoid' | 'tanh' | 'relu';

export interface ElementwiseKernels {
  /** p (and buf, when momentum ≠ 0) updated in place; buf has p's length. */
  sgd(p: Float32Array, g: Float32Array, buf: Float32Array | null, step: SgdStep): void;
  /**
   * gx = dy·f'(x) from y = f(x), float64, rounded once: sigmoid (dy·(1 − y))·y, tanh
   * dy·(1 − y·y), relu y > 0 ? dy : 0. gx, dy and y have one length.
   */
  activationBackward(kind: Activation, dy: Float32Array, y: Float32Array, gx: Float32Array): void;
  /** y = 1 / (1 + exp(−x)) in float64 with Math.exp's exp, rounded once; y has x's length (may be x). */
  sigmoid(x: Float32Array, y: Float32Array): void;
  /**
   * Σ over the rows of a row-major (R, C) array, per column: float64 sums in row order, rounded
   * once (sumToShape's bits, without its iteration plan: linear's bias gradient).
   */
  columnSums(src: Float32Array, R: number, C: number): Float32Array;
}
