// The Tensor: a contiguous row-major Float32Array plus a shape, and the autograd bookkeeping.
// Op methods are thin wrappers over the functions in ./ops so both `x.add(y)` and `add(x, y)` work.
import { runBackward, type GradFn } from './autograd';
import { numelOf, normalizeDim, shapeToString, type Shape } from './shape';
import * as ew from './ops/elementwise';
import * as red from './ops/reduce';
import * as sel from './ops/select';
import * as lay from './ops/layout';
import * as la from './ops/linalg';
import * as sm from './ops/softmax';
import * as join from './ops/join';
import * as idx from './ops/index-ops';
import * as cmp from './ops/compare';
import * as lg from './ops/logical';
import * as sc from './ops/scatter';

export type Scalar = number;
/** A tensor, or a number that acts as a float32 scalar broadcast against the other operand. */
export type TensorOrScalar = Tensor | number;

/** An n-dimensional float32 array: flat row-major `data` plus a `shape`, with autograd (`requiresGrad`, `grad`, `backward()`). Like torch.Tensor. */
export class Tensor {
  /** The values, flat in row-major order (float32, the only dtype); reshape/view/detach share it. */
  readonly data: Float32Array;
  /** The size of each dim, e.g. [N, C] ([] for a 0-d tensor). Like torch.Tensor.shape. */
  readonly shape: number[];
  /** Whether ops on this tensor are recorded so backward() computes its gradient. Like torch.Tensor.requires_grad. */
  requiresGrad: boolean;
  /** Gradient accumulated by backward(), same shape as this tensor; null until then (non-leaves keep it only after retainGrad()). Like torch.Tensor.grad. */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves). */
  gradFn: GradFn | null = null;
  /** Non-leaf tensors keep their .grad only after retainGrad(), as in PyTorch. */
  retainsGrad = false;

  constructor(data: Float32Array, shape: Shape, requiresGrad = false) {
    const n = numelOf(shape);
    if (data.length !== n) {
      throw new Error(`shape ${shapeToString(shape)} is invalid for input of size ${data.length}`);
    }
    this.data = data;
    this.shape = shape.slice();
    this.requiresGrad = requiresGrad;
  }

  /** True when no recorded op produced this tensor (gradFn is null). Like torch.Tensor.is_leaf. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Number of dims. Like torch.Tensor.ndim. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of dims. Like torch.Tensor.dim(). */
  dim(): number {
    return this.shape.length;
  }

  /** Number of elements (the product of the shape). Like torch.Tensor.numel(). */
  numel(): number {
    return this.data.length;
  }

  /** The shape, as a new array. Like torch.Tensor.size(). */
  size(): number[];
  /** The size of dim `dim` (negative counts from the end). Like torch.Tensor.size(dim). */
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normalizeDim(dim, this.shape.length)];
  }

  /** The single value of a one-element tensor, as a number. Like torch.Tensor.item(). */
  item(): number {
    if (this.data.length !== 1) {
      throw new Error(`a Tensor with ${this.data.length} elements cannot be converted to Scalar`);
    }
    return this.data[0];
  }

  /** The values as nested JS arrays of the tensor's shape (a number for a 0-d tensor). Like torch.Tensor.tolist(). */
  tolist(): unknown {
    if (this.shape.length === 0) return this.data[0];
    const build = (dim: number, offset: number): unknown[] => {
      const n = this.shape[dim];
      const out = new Array<unknown>(n);
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = this.data[offset + i];
      } else {
        const stride = numelOf(this.shape.slice(dim + 1));
        for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }

  /** The values as a flat plain number array (a copy), in row-major order. */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /** A short description with the shape (not the values), e.g. tensor(shape=[2, 3]). */
  toString(): string {
    return `tensor(shape=${shapeToString(this.shape)}${this.requiresGrad ? ', requiresGrad=true' : ''})`;
  }

  /** The same data cut from the graph (requiresGrad false); shares storage. Like torch.Tensor.detach. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  /** A copy with its own storage; gradients flow back to this tensor. Like torch.Tensor.clone. */
  clone(): Tensor {
    return lay.clone(this);
  }

  /** Sets requiresGrad in place and returns this; only a leaf can turn it off. Like torch.Tensor.requires_grad_. */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) {
      throw new Error('you can only change requires_grad flags of leaf variables.');
    }
    this.requiresGrad = flag;
    return this;
  }

  /** Makes backward() keep this non-leaf tensor's .grad as well; returns this. Like torch.Tensor.retain_grad. */
  retainGrad(): this {
    if (!this.isLeaf) this.retainsGrad = true;
    return this;
  }

  /**
   * Backpropagates: adds d(this)/d(leaf) into every leaf's .grad (and retained ones'). `grad` weights a
   * non-scalar output (same number of elements); without it this must hold one value. Like torch.Tensor.backward.
   */
  backward(grad?: Tensor | Float32Array | number[]): void {
    if (!this.requiresGrad) {
      throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
    }
    let g: Float32Array;
    if (grad === undefined) {
      if (this.data.length !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
      g = new Float32Array([1]);
    } else {
      g = grad instanceof Tensor ? grad.data : grad instanceof Float32Array ? grad : Float32Array.from(grad);
      if (g.length !== this.data.length) {
        throw new Error(
          `Mismatch in shape: grad_output[0] has ${g.length} elements and output[0] has a shape of ${shapeToString(this.shape)}.`,
        );
      }
    }
    runBackward(this, g, (data, like) => new Tensor(data, like.shape, false));
  }

  // ---- elementwise ----
  /** this + alpha·other, broadcasting (alpha defaults to 1). Like torch.add. */
  add(other: TensorOrScalar, alpha?: number): Tensor { return ew.add(this, other, alpha); }
  /** this − alpha·other, broadcasting (alpha defaults to 1). Like torch.sub. */
  sub(other: TensorOrScalar, alpha?: number): Tensor { return ew.sub(this, other, alpha); }
  /** Elementwise product, broadcasting. Like torch.mul. */
  mul(other: TensorOrScalar): Tensor { return ew.mul(this, other); }
  /** Elementwise true division, broadcasting. Like torch.div. */
  div(other: TensorOrScalar): Tensor { return ew.div(this, other); }
  /** Elementwise power by a number or a broadcasting tensor exponent. Like torch.pow. */
  pow(exponent: TensorOrScalar): Tensor { return ew.pow(this, exponent); }
  /** −x elementwise. Like torch.neg. */
  neg(): Tensor { return ew.neg(this); }
  /** eˣ elementwise. Like torch.exp. */
  exp(): Tensor { return ew.exp(this); }
  /** Natural logarithm elementwise. Like torch.log. */
  log(): Tensor { return ew.log(this); }
  /** √x elementwise. Like torch.sqrt. */
  sqrt(): Tensor { return ew.sqrt(this); }
  /** 1/√x elementwise. Like torch.rsqrt. */
  rsqrt(): Tensor { return ew.rsqrt(this); }
  /** |x| elementwise. Like torch.abs. */
  abs(): Tensor { return ew.abs(this); }
  /** x² elementwise. Like torch.square. */
  square(): Tensor { return ew.square(this); }
  /** max(x, 0) elementwise. Like torch.relu. */
  relu(): Tensor { return ew.relu(this); }
  /** 1 / (1 + e⁻ˣ) elementwise. Like torch.sigmoid. */
  sigmoid(): Tensor { return ew.sigmoid(this); }
  /** Hyperbolic tangent elementwise. Like torch.tanh. */
  tanh(): Tensor { return ew.tanh(this); }
  /** Clamps every value into [min, max]; an omitted or null bound is open. Like torch.clamp. */
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }

  // ---- reductions ----
  /** Sum over `dim` (a dim or a list; all dims when omitted); `keepdim` keeps reduced dims as size 1. Like torch.sum. */
  sum(dim?: number | number[] | null, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  /** Mean over `dim` (all dims when omitted); `keepdim` keeps reduced dims as size 1. Like torch.mean. */
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  /** Variance over `dim` (all dims when omitted), unbiased unless `correction: 0` / `unbiased: false`; `keepdim` in opts. Like torch.var. */
  var(dim?: number | number[] | null, opts: red.VarOptions = {}): Tensor { return red.variance(this, dim, opts); }
  /** Standard deviation over `dim` (all dims when omitted), unbiased unless `correction: 0` / `unbiased: false`. Like torch.std. */
  std(dim?: number | number[] | null, opts: red.VarOptions = {}): Tensor { return red.std(this, dim, opts); }
  /** The largest value as a 0-d tensor (NaN if any value is NaN). Like torch.max(x). */
  max(): Tensor;
  /** { values, indices } of the maxima along `dim` (the first on ties); `keepdim` keeps that dim as size 1. Like torch.max(x, dim). */
  max(dim: number, keepdim?: boolean): sel.ValuesAndIndices;
  max(dim?: number, keepdim = false): Tensor | sel.ValuesAndIndices {
    return dim === undefined ? sel.max(this) : sel.max(this, dim, keepdim);
  }
  /** The smallest value as a 0-d tensor (NaN if any value is NaN). Like torch.min(x). */
  min(): Tensor;
  /** { values, indices } of the minima along `dim` (the first on ties); `keepdim` keeps that dim as size 1. Like torch.min(x, dim). */
  min(dim: number, keepdim?: boolean): sel.ValuesAndIndices;
  min(dim?: number, keepdim = false): Tensor | sel.ValuesAndIndices {
    return dim === undefined ? sel.min(this) : sel.min(this, dim, keepdim);
  }
  /** Index of the first maximum along `dim`, or in the flattened tensor when omitted (float32 values, no grad). Like torch.argmax. */
  argmax(dim?: number, keepdim = false): Tensor { return sel.argmax(this, dim, keepdim); }
  /** Index of the first minimum along `dim`, or in the flattened tensor when omitted (float32 values, no grad). Like torch.argmin. */
  argmin(dim?: number, keepdim = false): Tensor { return sel.argmin(this, dim, keepdim); }

  // ---- layout ----
  /** The same data in a new shape, e.g. reshape(2, -1) (one dim may be -1); shares storage. Like torch.reshape. */
  reshape(...shape: number[] | [number[]]): Tensor { return lay.reshape(this, flatArgs(shape)); }
  /** Same as reshape (tensors are always contiguous); shares storage. Like torch.Tensor.view. */
  view(...shape: number[] | [number[]]): Tensor { return lay.reshape(this, flatArgs(shape)); }
  /** Merges dims startDim..endDim into one (all dims by default). Like torch.flatten. */
  flatten(startDim = 0, endDim = -1): Tensor { return lay.flatten(this, startDim, endDim); }
  /** Inserts a dim of size 1 at `dim`. Like torch.unsqueeze. */
  unsqueeze(dim: number): Tensor { return lay.unsqueeze(this, dim); }
  /** Removes the dims of size 1 (only `dim`, if given and of size 1). Like torch.squeeze. */
  squeeze(dim?: number): Tensor { return lay.squeeze(this, dim); }
  /** Swaps dims dim0 and dim1 (a copy, not a view). Like torch.transpose. */
  transpose(dim0: number, dim1: number): Tensor { return lay.transpose(this, dim0, dim1); }
  /** Reorders the dims, e.g. permute(0, 2, 1) for (N, C, L) → (N, L, C) (a copy). Like torch.permute. */
  permute(...dims: number[] | [number[]]): Tensor { return lay.permute(this, flatArgs(dims)); }
  /** Transpose of a ≤2-D tensor. */
  t(): Tensor {
    if (this.shape.length > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${this.shape.length}D`);
    return this.shape.length < 2 ? this : lay.transpose(this, 0, 1);
  }
  /** Broadcasts size-1 dims to `shape` (-1 keeps a dim; new leading dims allowed); a copy. Like torch.Tensor.expand. */
  expand(...shape: number[] | [number[]]): Tensor { return lay.expand(this, flatArgs(shape)); }

  // ---- joining, slicing, indexing ----
  /** Pieces along `dim`: of splitSize entries each (the last may be shorter), or of the listed sizes. Like torch.split. */
  split(splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] { return join.split(this, splitSizeOrSections, dim); }
  /** At most `chunks` pieces of ceil(size / chunks) entries along `dim`. Like torch.chunk. */
  chunk(chunks: number, dim = 0): Tensor[] { return join.chunk(this, chunks, dim); }
  /** `length` entries along `dim` from `start` (a copy). Like torch.narrow. */
  narrow(dim: number, start: number, length: number): Tensor { return idx.narrow(this, dim, start, length); }
  /** The slice at `index` along `dim`, which is removed from the shape. Like torch.select. */
  select(dim: number, index: number): Tensor { return idx.select(this, dim, index); }
  /** The entries at `index` (1-D integer values, repeats allowed) along `dim`. Like torch.index_select. */
  indexSelect(dim: number, index: Tensor | readonly number[]): Tensor { return idx.indexSelect(this, dim, index); }
  /** Values picked along `dim` by `index`, shaped like `index`: out[i][j] = this[index[i][j]][j] for dim 0. Like torch.gather. */
  gather(dim: number, index: idx.IndexLike): Tensor { return idx.gather(this, dim, index); }
  /** Elementwise larger of this and `other` (broadcasting; NaN propagates). Like torch.maximum. */
  maximum(other: Tensor): Tensor { return cmp.maximum(this, other); }
  /** Elementwise smaller of this and `other` (broadcasting; NaN propagates). Like torch.minimum. */
  minimum(other: Tensor): Tensor { return cmp.minimum(this, other); }
  /** `this` where the condition holds, else `other` (torch.where(condition, this, other)). */
  where(condition: cmp.Condition, other: TensorOrScalar): Tensor { return cmp.where(condition, this, other); }
  /** `value` where `mask` is 1 (true), else this; mask and this broadcast together. Like torch.Tensor.masked_fill. */
  maskedFill(mask: cmp.Condition, value: TensorOrScalar): Tensor { return cmp.maskedFill(this, mask, value); }
  /** A copy with out[index[i][j]][j] = src[i][j] for dim 0 (src a tensor or a number). Like torch.Tensor.scatter. */
  scatter(dim: number, index: idx.IndexLike, src: TensorOrScalar): Tensor { return sc.scatter(this, dim, index, src); }
  /** A copy with out[index[i][j]][j] += src[i][j] for dim 0. Like torch.Tensor.scatter_add. */
  scatterAdd(dim: number, index: idx.IndexLike, src: Tensor): Tensor { return sc.scatterAdd(this, dim, index, src); }
  /** A copy with out.select(dim, index[i]) += alpha·source.select(dim, i). Like torch.Tensor.index_add. */
  indexAdd(dim: number, index: Tensor | readonly number[], source: Tensor, opts?: sc.IndexAddOptions): Tensor { return sc.indexAdd(this, dim, index, source, opts); }

  // ---- comparisons and masks: 0/1 float32 tensors (the engine's booleans), never requiring grad ----
  /** 1 where this == other, else 0 (broadcasting; no grad). Like torch.eq. */
  eq(other: TensorOrScalar): Tensor { return lg.eq(this, other); }
  /** 1 where this != other, else 0 (broadcasting; no grad). Like torch.ne. */
  ne(other: TensorOrScalar): Tensor { return lg.ne(this, other); }
  /** 1 where this < other, else 0 (broadcasting; no grad). Like torch.lt. */
  lt(other: TensorOrScalar): Tensor { return lg.lt(this, other); }
  /** 1 where this <= other, else 0 (broadcasting; no grad). Like torch.le. */
  le(other: TensorOrScalar): Tensor { return lg.le(this, other); }
  /** 1 where this > other, else 0 (broadcasting; no grad). Like torch.gt. */
  gt(other: TensorOrScalar): Tensor { return lg.gt(this, other); }
  /** 1 where this >= other, else 0 (broadcasting; no grad). Like torch.ge. */
  ge(other: TensorOrScalar): Tensor { return lg.ge(this, other); }
  /** 1 where both are non-zero, else 0 (broadcasting). Like torch.logical_and. */
  logicalAnd(other: Tensor): Tensor { return lg.logicalAnd(this, other); }
  /** 1 where either is non-zero, else 0 (broadcasting). Like torch.logical_or. */
  logicalOr(other: Tensor): Tensor { return lg.logicalOr(this, other); }
  /** 1 where exactly one is non-zero, else 0 (broadcasting). Like torch.logical_xor. */
  logicalXor(other: Tensor): Tensor { return lg.logicalXor(this, other); }
  /** 1 where the value is 0, else 0. Like torch.logical_not. */
  logicalNot(): Tensor { return lg.logicalNot(this); }
  /** 1 where the value is NaN, else 0. Like torch.isnan. */
  isnan(): Tensor { return lg.isnan(this); }
  /** 1 where the value is +∞ or −∞, else 0. Like torch.isinf. */
  isinf(): Tensor { return lg.isinf(this); }
  /** 1 where the value is neither NaN nor ±∞, else 0. Like torch.isfinite. */
  isfinite(): Tensor { return lg.isfinite(this); }
  /** 1 if any element is non-zero (along `dim` if given; `keepdim` keeps it as size 1), else 0. Like torch.any. */
  any(dim?: number, keepdim = false): Tensor { return lg.any(this, dim, keepdim); }
  /** 1 if every element is non-zero (along `dim` if given; `keepdim` keeps it as size 1), else 0. Like torch.all. */
  all(dim?: number, keepdim = false): Tensor { return lg.all(this, dim, keepdim); }
  /** This tensor: float32 is the engine's only dtype (PyTorch's float() returns self when it matches). */
  float(): Tensor { return this; }
  /** The engine's boolean tensor: 1 where non-zero (NaN included), else 0; no grad. */
  bool(): Tensor { return lg.toBool(this); }
  /** Values truncated toward zero, without grad (integer tensors hold float32 integers here). */
  long(): Tensor { return lg.toLong(this); }

  // ---- linear algebra / softmax ----
  /** Matrix product: (…, M, K) @ (…, K, N) → (…, M, N), batch dims broadcast, 1-D operands promoted. Like torch.matmul. */
  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  /** exp(x) / Σ exp(x) along `dim` (each slice sums to 1). Like torch.softmax. */
  softmax(dim: number): Tensor { return sm.softmax(this, dim); }
  /** log(softmax(x)) along `dim`, computed stably as x − logsumexp(x). Like torch.log_softmax. */
  logSoftmax(dim: number): Tensor { return sm.logSoftmax(this, dim); }
}

function flatArgs(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]);
}
