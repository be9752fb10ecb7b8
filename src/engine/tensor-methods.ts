// The Tensor's op methods: `x.add(y)` is `add(x, y)`. Installed on the prototype here, not written
// in the class, so that tensor.ts imports no op (every op imports tensor.ts: a loop otherwise).
// index.ts imports this module first; nothing else in the engine needs to.
import { Tensor, type TensorOrScalar } from './tensor';
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

declare module './tensor' {
  interface Tensor {
    clone(): Tensor;
    // ---- elementwise ----
    add(other: TensorOrScalar, alpha?: number): Tensor;
    sub(other: TensorOrScalar, alpha?: number): Tensor;
    mul(other: TensorOrScalar): Tensor;
    div(other: TensorOrScalar): Tensor;
    pow(exponent: TensorOrScalar): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    // ---- reductions ----
    sum(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    mean(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    var(dim?: number | number[] | null, opts?: red.VarOptions): Tensor;
    std(dim?: number | number[] | null, opts?: red.VarOptions): Tensor;
    /** The largest value, or with `dim` the values and indices of the maxima along it. */
    max(): Tensor;
    max(dim: number, keepdim?: boolean): sel.ValuesAndIndices;
    /** The smallest value, or with `dim` the values and indices of the minima along it. */
    min(): Tensor;
    min(dim: number, keepdim?: boolean): sel.ValuesAndIndices;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    // ---- layout ----
    reshape(...shape: number[] | [number[]]): Tensor;
    view(...shape: number[] | [number[]]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    permute(...dims: number[] | [number[]]): Tensor;
    /** Transpose of a ≤2-D tensor. */
    t(): Tensor;
    expand(...shape: number[] | [number[]]): Tensor;
    // ---- joining, slicing, indexing ----
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    indexSelect(dim: number, index: Tensor | readonly number[]): Tensor;
    gather(dim: number, index: idx.IndexLike): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    /** `this` where the condition holds, else `other` (torch.where(condition, this, other)). */
    where(condition: cmp.Condition, other: TensorOrScalar): Tensor;
    maskedFill(mask: cmp.Condition, value: TensorOrScalar): Tensor;
    scatter(dim: number, index: idx.IndexLike, src: TensorOrScalar): Tensor;
    scatterAdd(dim: number, index: idx.IndexLike, src: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor | readonly number[], source: Tensor, opts?: sc.IndexAddOptions): Tensor;
    // ---- comparisons and masks: 0/1 float32 tensors (the engine's booleans), never requiring grad ----
    eq(other: TensorOrScalar): Tensor;
    ne(other: TensorOrScalar): Tensor;
    lt(other: TensorOrScalar): Tensor;
    le(other: TensorOrScalar): Tensor;
    gt(other: TensorOrScalar): Tensor;
    ge(other: TensorOrScalar): Tensor;
    logicalAnd(other: Tensor): Tensor;
    logicalOr(other: Tensor): Tensor;
    logicalXor(other: Tensor): Tensor;
    logicalNot(): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    any(dim?: number, keepdim?: boolean): Tensor;
    all(dim?: number, keepdim?: boolean): Tensor;
    /** This tensor: float32 is the engine's only dtype (PyTorch's float() returns self when it matches). */
    float(): Tensor;
    /** The engine's boolean tensor: 1 where non-zero (NaN included), else 0; no grad. */
    bool(): Tensor;
    /** Values truncated toward zero, without grad (integer tensors hold float32 integers here). */
    long(): Tensor;
    // ---- linear algebra / softmax ----
    matmul(other: Tensor): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
  }
}

function flatArgs(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]);
}

const proto = Tensor.prototype;
proto.clone = function (this: Tensor): Tensor { return lay.clone(this); };
proto.add = function (this: Tensor, other: TensorOrScalar, alpha?: number): Tensor { return ew.add(this, other, alpha); };
proto.sub = function (this: Tensor, other: TensorOrScalar, alpha?: number): Tensor { return ew.sub(this, other, alpha); };
proto.mul = function (this: Tensor, other: TensorOrScalar): Tensor { return ew.mul(this, other); };
proto.div = function (this: Tensor, other: TensorOrScalar): Tensor { return ew.div(this, other); };
proto.pow = function (this: Tensor, exponent: TensorOrScalar): Tensor { return ew.pow(this, exponent); };
proto.neg = function (this: Tensor, ): Tensor { return ew.neg(this); };
proto.exp = function (this: Tensor, ): Tensor { return ew.exp(this); };
proto.log = function (this: Tensor, ): Tensor { return ew.log(this); };
proto.sqrt = function (this: Tensor, ): Tensor { return ew.sqrt(this); };
proto.rsqrt = function (this: Tensor, ): Tensor { return ew.rsqrt(this); };
proto.abs = function (this: Tensor, ): Tensor { return ew.abs(this); };
proto.square = function (this: Tensor, ): Tensor { return ew.square(this); };
proto.relu = function (this: Tensor, ): Tensor { return ew.relu(this); };
proto.sigmoid = function (this: Tensor, ): Tensor { return ew.sigmoid(this); };
proto.tanh = function (this: Tensor, ): Tensor { return ew.tanh(this); };
proto.clamp = function (this: Tensor, min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); };
proto.sum = function (this: Tensor, dim?: number | number[] | null, keepdim = false): Tensor { return red.sum(this, dim, keepdim); };
proto.mean = function (this: Tensor, dim?: number | number[] | null, keepdim = false): Tensor { return red.mean(this, dim, keepdim); };
proto.var = function (this: Tensor, dim?: number | number[] | null, opts: red.VarOptions = {}): Tensor { return red.variance(this, dim, opts); };
proto.std = function (this: Tensor, dim?: number | number[] | null, opts: red.VarOptions = {}): Tensor { return red.std(this, dim, opts); };
proto.argmax = function (this: Tensor, dim?: number, keepdim = false): Tensor { return sel.argmax(this, dim, keepdim); };
proto.argmin = function (this: Tensor, dim?: number, keepdim = false): Tensor { return sel.argmin(this, dim, keepdim); };
proto.reshape = function (this: Tensor, ...shape: number[] | [number[]]): Tensor { return lay.reshape(this, flatArgs(shape)); };
proto.view = function (this: Tensor, ...shape: number[] | [number[]]): Tensor { return lay.reshape(this, flatArgs(shape)); };
proto.flatten = function (this: Tensor, startDim = 0, endDim = -1): Tensor { return lay.flatten(this, startDim, endDim); };
proto.unsqueeze = function (this: Tensor, dim: number): Tensor { return lay.unsqueeze(this, dim); };
proto.squeeze = function (this: Tensor, dim?: number): Tensor { return lay.squeeze(this, dim); };
proto.transpose = function (this: Tensor, dim0: number, dim1: number): Tensor { return lay.transpose(this, dim0, dim1); };
proto.permute = function (this: Tensor, ...dims: number[] | [number[]]): Tensor { return lay.permute(this, flatArgs(dims)); };
proto.expand = function (this: Tensor, ...shape: number[] | [number[]]): Tensor { return lay.expand(this, flatArgs(shape)); };
proto.split = function (this: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] { return join.split(this, splitSizeOrSections, dim); };
proto.chunk = function (this: Tensor, chunks: number, dim = 0): Tensor[] { return join.chunk(this, chunks, dim); };
proto.narrow = function (this: Tensor, dim: number, start: number, length: number): Tensor { return idx.narrow(this, dim, start, length); };
proto.select = function (this: Tensor, dim: number, index: number): Tensor { return idx.select(this, dim, index); };
proto.indexSelect = function (this: Tensor, dim: number, index: Tensor | readonly number[]): Tensor { return idx.indexSelect(this, dim, index); };
proto.gather = function (this: Tensor, dim: number, index: idx.IndexLike): Tensor { return idx.gather(this, dim, index); };
proto.maximum = function (this: Tensor, other: Tensor): Tensor { return cmp.maximum(this, other); };
proto.minimum = function (this: Tensor, other: Tensor): Tensor { return cmp.minimum(this, other); };
proto.where = function (this: Tensor, condition: cmp.Condition, other: TensorOrScalar): Tensor { return cmp.where(condition, this, other); };
proto.maskedFill = function (this: Tensor, mask: cmp.Condition, value: TensorOrScalar): Tensor { return cmp.maskedFill(this, mask, value); };
proto.scatter = function (this: Tensor, dim: number, index: idx.IndexLike, src: TensorOrScalar): Tensor { return sc.scatter(this, dim, index, src); };
proto.scatterAdd = function (this: Tensor, dim: number, index: idx.IndexLike, src: Tensor): Tensor { return sc.scatterAdd(this, dim, index, src); };
proto.indexAdd = function (this: Tensor, dim: number, index: Tensor | readonly number[], source: Tensor, opts?: sc.IndexAddOptions): Tensor { return sc.indexAdd(this, dim, index, source, opts); };
proto.eq = function (this: Tensor, other: TensorOrScalar): Tensor { return lg.eq(this, other); };
proto.ne = function (this: Tensor, other: TensorOrScalar): Tensor { return lg.ne(this, other); };
proto.lt = function (this: Tensor, other: TensorOrScalar): Tensor { return lg.lt(this, other); };
proto.le = function (this: Tensor, other: TensorOrScalar): Tensor { return lg.le(this, other); };
proto.gt = function (this: Tensor, other: TensorOrScalar): Tensor { return lg.gt(this, other); };
proto.ge = function (this: Tensor, other: TensorOrScalar): Tensor { return lg.ge(this, other); };
proto.logicalAnd = function (this: Tensor, other: Tensor): Tensor { return lg.logicalAnd(this, other); };
proto.logicalOr = function (this: Tensor, other: Tensor): Tensor { return lg.logicalOr(this, other); };
proto.logicalXor = function (this: Tensor, other: Tensor): Tensor { return lg.logicalXor(this, other); };
proto.logicalNot = function (this: Tensor, ): Tensor { return lg.logicalNot(this); };
proto.isnan = function (this: Tensor, ): Tensor { return lg.isnan(this); };
proto.isinf = function (this: Tensor, ): Tensor { return lg.isinf(this); };
proto.isfinite = function (this: Tensor, ): Tensor { return lg.isfinite(this); };
proto.any = function (this: Tensor, dim?: number, keepdim = false): Tensor { return lg.any(this, dim, keepdim); };
proto.all = function (this: Tensor, dim?: number, keepdim = false): Tensor { return lg.all(this, dim, keepdim); };
proto.float = function (this: Tensor, ): Tensor { return this; };
proto.bool = function (this: Tensor, ): Tensor { return lg.toBool(this); };
proto.long = function (this: Tensor, ): Tensor { return lg.toLong(this); };
proto.matmul = function (this: Tensor, other: Tensor): Tensor { return la.matmul(this, other); };
proto.softmax = function (this: Tensor, dim: number): Tensor { return sm.softmax(this, dim); };
proto.logSoftmax = function (this: Tensor, dim: number): Tensor { return sm.logSoftmax(this, dim); };
proto.max = function (this: Tensor, dim?: number, keepdim: boolean = false) {
  return dim === undefined ? sel.max(this) : sel.max(this, dim, keepdim);
} as Tensor['max'];
proto.min = function (this: Tensor, dim?: number, keepdim: boolean = false) {
  return dim === undefined ? sel.min(this) : sel.min(this, dim, keepdim);
} as Tensor['min'];
proto.t = function (this: Tensor): Tensor {
  if (this.shape.length > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${this.shape.length}D`);
  return this.shape.length < 2 ? this : lay.transpose(this, 0, 1);
};
