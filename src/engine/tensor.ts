// The Tensor: a contiguous row-major Float32Array plus a shape, and the autograd bookkeeping.
// Op methods are thin wrappers over the functions in ./ops so both `x.add(y)` and `add(x, y)` work.
import { runBackward, type GradFn } from './autograd';
import { numelOf, normalizeDim, shapeToString, type Shape } from './shape';
import { track } from './scope';
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
export type TensorOrScalar = Tensor | number;

export class Tensor {
  readonly data: Float32Array;
  readonly shape: number[];
  requiresGrad: boolean;
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves). */
  gradFn: GradFn | null = null;
  /** Non-leaf tensors keep their .grad only after retainGrad(), as in PyTorch. */
  retainsGrad = false;
  /** Stored as a `.grad` by backward: a tidy() scope never frees it. */
  escaped = false;
  /** Freed by the tidy() scope that created it (its storage may hold another tensor's values). */
  readonly freed: boolean = false;

  constructor(data: Float32Array, shape: Shape, requiresGrad = false) {
    const n = numelOf(shape);
    if (data.length !== n) {
      throw new Error(`shape ${shapeToString(shape)} is invalid for input of size ${data.length}`);
    }
    this.data = data;
    this.shape = shape.slice();
    this.requiresGrad = requiresGrad;
    track(this);
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get ndim(): number {
    return this.shape.length;
  }

  dim(): number {
    return this.shape.length;
  }

  numel(): number {
    return this.data.length;
  }

  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normalizeDim(dim, this.shape.length)];
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new Error(`a Tensor with ${this.data.length} elements cannot be converted to Scalar`);
    }
    return this.data[0];
  }

  /** Nested JS arrays, like tensor.tolist(). */
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

  /** Flat copy as a plain number array. */
  toArray(): number[] {
    return Array.from(this.data);
  }

  toString(): string {
    return `tensor(shape=${shapeToString(this.shape)}${this.requiresGrad ? ', requiresGrad=true' : ''})`;
  }

  /** Same data, cut from the graph. Shares storage, like PyTorch. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  clone(): Tensor {
    return lay.clone(this);
  }

  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) {
      throw new Error('you can only change requires_grad flags of leaf variables.');
    }
    this.requiresGrad = flag;
    return this;
  }

  retainGrad(): this {
    if (!this.isLeaf) this.retainsGrad = true;
    return this;
  }

  /**
   * Accumulates d(this)/d(leaf) into every leaf's .grad. Without `grad`, this must hold one value.
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
    runBackward(this, g, (data, like) => {
      const t = new Tensor(data, like.shape, false);
      t.escaped = true;
      return t;
    });
  }

  // ---- elementwise ----
  add(other: TensorOrScalar, alpha?: number): Tensor { return ew.add(this, other, alpha); }
  sub(other: TensorOrScalar, alpha?: number): Tensor { return ew.sub(this, other, alpha); }
  mul(other: TensorOrScalar): Tensor { return ew.mul(this, other); }
  div(other: TensorOrScalar): Tensor { return ew.div(this, other); }
  pow(exponent: TensorOrScalar): Tensor { return ew.pow(this, exponent); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  rsqrt(): Tensor { return ew.rsqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  square(): Tensor { return ew.square(this); }
  relu(): Tensor { return ew.relu(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  tanh(): Tensor { return ew.tanh(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }

  // ---- reductions ----
  sum(dim?: number | number[] | null, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  var(dim?: number | number[] | null, opts: red.VarOptions = {}): Tensor { return red.variance(this, dim, opts); }
  std(dim?: number | number[] | null, opts: red.VarOptions = {}): Tensor { return red.std(this, dim, opts); }
  /** The largest value, or with `dim` the values and indices of the maxima along it. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): sel.ValuesAndIndices;
  max(dim?: number, keepdim = false): Tensor | sel.ValuesAndIndices {
    return dim === undefined ? sel.max(this) : sel.max(this, dim, keepdim);
  }
  /** The smallest value, or with `dim` the values and indices of the minima along it. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): sel.ValuesAndIndices;
  min(dim?: number, keepdim = false): Tensor | sel.ValuesAndIndices {
    return dim === undefined ? sel.min(this) : sel.min(this, dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor { return sel.argmax(this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return sel.argmin(this, dim, keepdim); }

  // ---- layout ----
  reshape(...shape: number[] | [number[]]): Tensor { return lay.reshape(this, flatArgs(shape)); }
  view(...shape: number[] | [number[]]): Tensor { return lay.reshape(this, flatArgs(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return lay.flatten(this, startDim, endDim); }
  unsqueeze(dim: number): Tensor { return lay.unsqueeze(this, dim); }
  squeeze(dim?: number): Tensor { return lay.squeeze(this, dim); }
  transpose(dim0: number, dim1: number): Tensor { return lay.transpose(this, dim0, dim1); }
  permute(...dims: number[] | [number[]]): Tensor { return lay.permute(this, flatArgs(dims)); }
  /** Transpose of a ≤2-D tensor. */
  t(): Tensor {
    if (this.shape.length > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${this.shape.length}D`);
    return this.shape.length < 2 ? this : lay.transpose(this, 0, 1);
  }
  expand(...shape: number[] | [number[]]): Tensor { return lay.expand(this, flatArgs(shape)); }

  // ---- joining, slicing, indexing ----
  split(splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] { return join.split(this, splitSizeOrSections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return join.chunk(this, chunks, dim); }
  narrow(dim: number, start: number, length: number): Tensor { return idx.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return idx.select(this, dim, index); }
  indexSelect(dim: number, index: Tensor | readonly number[]): Tensor { return idx.indexSelect(this, dim, index); }
  gather(dim: number, index: idx.IndexLike): Tensor { return idx.gather(this, dim, index); }
  maximum(other: Tensor): Tensor { return cmp.maximum(this, other); }
  minimum(other: Tensor): Tensor { return cmp.minimum(this, other); }
  /** `this` where the condition holds, else `other` (torch.where(condition, this, other)). */
  where(condition: cmp.Condition, other: TensorOrScalar): Tensor { return cmp.where(condition, this, other); }
  maskedFill(mask: cmp.Condition, value: TensorOrScalar): Tensor { return cmp.maskedFill(this, mask, value); }
  scatter(dim: number, index: idx.IndexLike, src: TensorOrScalar): Tensor { return sc.scatter(this, dim, index, src); }
  scatterAdd(dim: number, index: idx.IndexLike, src: Tensor): Tensor { return sc.scatterAdd(this, dim, index, src); }
  indexAdd(dim: number, index: Tensor | readonly number[], source: Tensor, opts?: sc.IndexAddOptions): Tensor { return sc.indexAdd(this, dim, index, source, opts); }

  // ---- comparisons and masks: 0/1 float32 tensors (the engine's booleans), never requiring grad ----
  eq(other: TensorOrScalar): Tensor { return lg.eq(this, other); }
  ne(other: TensorOrScalar): Tensor { return lg.ne(this, other); }
  lt(other: TensorOrScalar): Tensor { return lg.lt(this, other); }
  le(other: TensorOrScalar): Tensor { return lg.le(this, other); }
  gt(other: TensorOrScalar): Tensor { return lg.gt(this, other); }
  ge(other: TensorOrScalar): Tensor { return lg.ge(this, other); }
  logicalAnd(other: Tensor): Tensor { return lg.logicalAnd(this, other); }
  logicalOr(other: Tensor): Tensor { return lg.logicalOr(this, other); }
  logicalXor(other: Tensor): Tensor { return lg.logicalXor(this, other); }
  logicalNot(): Tensor { return lg.logicalNot(this); }
  isnan(): Tensor { return lg.isnan(this); }
  isinf(): Tensor { return lg.isinf(this); }
  isfinite(): Tensor { return lg.isfinite(this); }
  any(dim?: number, keepdim = false): Tensor { return lg.any(this, dim, keepdim); }
  all(dim?: number, keepdim = false): Tensor { return lg.all(this, dim, keepdim); }
  /** This tensor: float32 is the engine's only dtype (PyTorch's float() returns self when it matches). */
  float(): Tensor { return this; }
  /** The engine's boolean tensor: 1 where non-zero (NaN included), else 0; no grad. */
  bool(): Tensor { return lg.toBool(this); }
  /** Values truncated toward zero, without grad (integer tensors hold float32 integers here). */
  long(): Tensor { return lg.toLong(this); }

  // ---- linear algebra / softmax ----
  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  softmax(dim: number): Tensor { return sm.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return sm.logSoftmax(this, dim); }
}

function flatArgs(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]);
}
