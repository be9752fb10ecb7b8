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
    /** A copy with its own storage; gradients flow back to this tensor. Like torch.Tensor.clone. */
    clone(): Tensor;
    // ---- elementwise ----
    /** this + alpha·other, broadcasting (alpha defaults to 1). Like torch.add. */
    add(other: TensorOrScalar, alpha?: number): Tensor;
    /** this − alpha·other, broadcasting (alpha defaults to 1). Like torch.sub. */
    sub(other: TensorOrScalar, alpha?: number): Tensor;
    /** Elementwise product, broadcasting. Like torch.mul. */
    mul(other: TensorOrScalar): Tensor;
    /** Elementwise true division, broadcasting. Like torch.div. */
    div(other: TensorOrScalar): Tensor;
    /** Elementwise power by a number or a broadcasting tensor exponent. Like torch.pow. */
    pow(exponent: TensorOrScalar): Tensor;
    /** −x elementwise. Like torch.neg. */
    neg(): Tensor;
    /** eˣ elementwise. Like torch.exp. */
    exp(): Tensor;
    /** Natural logarithm elementwise. Like torch.log. */
    log(): Tensor;
    /** √x elementwise. Like torch.sqrt. */
    sqrt(): Tensor;
    /** 1/√x elementwise. Like torch.rsqrt. */
    rsqrt(): Tensor;
    /** |x| elementwise. Like torch.abs. */
    abs(): Tensor;
    /** x² elementwise. Like torch.square. */
    square(): Tensor;
    /** max(x, 0) elementwise. Like torch.relu. */
    relu(): Tensor;
    /** 1 / (1 + e⁻ˣ) elementwise. Like torch.sigmoid. */
    sigmoid(): Tensor;
    /** Hyperbolic tangent elementwise. Like torch.tanh. */
    tanh(): Tensor;
    /** Clamps every value into [min, max]; an omitted or null bound is open. Like torch.clamp. */
    clamp(min?: number | null, max?: number | null): Tensor;
    // ---- reductions ----
    /** Sum over `dim` (a dim or a list; all dims when omitted); `keepdim` keeps reduced dims as size 1. Like torch.sum. */
    sum(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** Mean over `dim` (all dims when omitted); `keepdim` keeps reduced dims as size 1. Like torch.mean. */
    mean(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** Variance over `dim` (all dims when omitted), unbiased unless `correction: 0` / `unbiased: false`; `keepdim` in opts. Like torch.var. */
    var(dim?: number | number[] | null, opts?: red.VarOptions): Tensor;
    /** Standard deviation over `dim` (all dims when omitted), unbiased unless `correction: 0` / `unbiased: false`. Like torch.std. */
    std(dim?: number | number[] | null, opts?: red.VarOptions): Tensor;
    /** The largest value, or with `dim` the values and indices of the maxima along it. */
    max(): Tensor;
    /** The largest value as a 0-d tensor (NaN if any value is NaN). Like torch.max(x). */
    max(dim: number, keepdim?: boolean): sel.ValuesAndIndices;
    /** The smallest value, or with `dim` the values and indices of the minima along it. */
    min(): Tensor;
    /** The smallest value as a 0-d tensor (NaN if any value is NaN). Like torch.min(x). */
    min(dim: number, keepdim?: boolean): sel.ValuesAndIndices;
    /** Index of the first maximum along `dim`, or in the flattened tensor when omitted (float32 values, no grad). Like torch.argmax. */
    argmax(dim?: number, keepdim?: boolean): Tensor;
    /** Index of the first minimum along `dim`, or in the flattened tensor when omitted (float32 values, no grad). Like torch.argmin. */
    argmin(dim?: number, keepdim?: boolean): Tensor;
    // ---- layout ----
    /** The same data in a new shape, e.g. reshape(2, -1) (one dim may be -1); shares storage. Like torch.reshape. */
    reshape(...shape: number[] | [number[]]): Tensor;
    /** Same as reshape (tensors are always contiguous); shares storage. Like torch.Tensor.view. */
    view(...shape: number[] | [number[]]): Tensor;
    /** Merges dims startDim..endDim into one (all dims by default). Like torch.flatten. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Inserts a dim of size 1 at `dim`. Like torch.unsqueeze. */
    unsqueeze(dim: number): Tensor;
    /** Removes the dims of size 1 (only `dim`, if given and of size 1). Like torch.squeeze. */
    squeeze(dim?: number): Tensor;
    /** Swaps dims dim0 and dim1 (a copy, not a view). Like torch.transpose. */
    transpose(dim0: number, dim1: number): Tensor;
    /** Reorders the dims, e.g. permute(0, 2, 1) for (N, C, L) → (N, L, C) (a copy). Like torch.permute. */
    permute(...dims: number[] | [number[]]): Tensor;
    /** Transpose of a ≤2-D tensor. */
    t(): Tensor;
    /** Broadcasts size-1 dims to `shape` (-1 keeps a dim; new leading dims allowed); a copy. Like torch.Tensor.expand. */
    expand(...shape: number[] | [number[]]): Tensor;
    // ---- joining, slicing, indexing ----
    /** Pieces along `dim`: of splitSize entries each (the last may be shorter), or of the listed sizes. Like torch.split. */
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    /** At most `chunks` pieces of ceil(size / chunks) entries along `dim`. Like torch.chunk. */
    chunk(chunks: number, dim?: number): Tensor[];
    /** `length` entries along `dim` from `start` (a copy). Like torch.narrow. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** The slice at `index` along `dim`, which is removed from the shape. Like torch.select. */
    select(dim: number, index: number): Tensor;
    /** The entries at `index` (1-D integer values, repeats allowed) along `dim`. Like torch.index_select. */
    indexSelect(dim: number, index: Tensor | readonly number[]): Tensor;
    /** Values picked along `dim` by `index`, shaped like `index`: out[i][j] = this[index[i][j]][j] for dim 0. Like torch.gather. */
    gather(dim: number, index: idx.IndexLike): Tensor;
    /** Elementwise larger of this and `other` (broadcasting; NaN propagates). Like torch.maximum. */
    maximum(other: Tensor): Tensor;
    /** Elementwise smaller of this and `other` (broadcasting; NaN propagates). Like torch.minimum. */
    minimum(other: Tensor): Tensor;
    /** `this` where the condition holds, else `other` (torch.where(condition, this, other)). */
    where(condition: cmp.Condition, other: TensorOrScalar): Tensor;
    /** `value` where `mask` is 1 (true), else this; mask and this broadcast together. Like torch.Tensor.masked_fill. */
    maskedFill(mask: cmp.Condition, value: TensorOrScalar): Tensor;
    /** A copy with out[index[i][j]][j] = src[i][j] for dim 0 (src a tensor or a number). Like torch.Tensor.scatter. */
    scatter(dim: number, index: idx.IndexLike, src: TensorOrScalar): Tensor;
    /** A copy with out[index[i][j]][j] += src[i][j] for dim 0. Like torch.Tensor.scatter_add. */
    scatterAdd(dim: number, index: idx.IndexLike, src: Tensor): Tensor;
    /** A copy with out.select(dim, index[i]) += alpha·source.select(dim, i). Like torch.Tensor.index_add. */
    indexAdd(dim: number, index: Tensor | readonly number[], source: Tensor, opts?: sc.IndexAddOptions): Tensor;
    // ---- comparisons and masks: 0/1 float32 tensors (the engine's booleans), never requiring grad ----
    /** 1 where this == other, else 0 (broadcasting; no grad). Like torch.eq. */
    eq(other: TensorOrScalar): Tensor;
    /** 1 where this != other, else 0 (broadcasting; no grad). Like torch.ne. */
    ne(other: TensorOrScalar): Tensor;
    /** 1 where this < other, else 0 (broadcasting; no grad). Like torch.lt. */
    lt(other: TensorOrScalar): Tensor;
    /** 1 where this <= other, else 0 (broadcasting; no grad). Like torch.le. */
    le(other: TensorOrScalar): Tensor;
    /** 1 where this > other, else 0 (broadcasting; no grad). Like torch.gt. */
    gt(other: TensorOrScalar): Tensor;
    /** 1 where this >= other, else 0 (broadcasting; no grad). Like torch.ge. */
    ge(other: TensorOrScalar): Tensor;
    /** 1 where both are non-zero, else 0 (broadcasting). Like torch.logical_and. */
    logicalAnd(other: Tensor): Tensor;
    /** 1 where either is non-zero, else 0 (broadcasting). Like torch.logical_or. */
    logicalOr(other: Tensor): Tensor;
    /** 1 where exactly one is non-zero, else 0 (broadcasting). Like torch.logical_xor. */
    logicalXor(other: Tensor): Tensor;
    /** 1 where the value is 0, else 0. Like torch.logical_not. */
    logicalNot(): Tensor;
    /** 1 where the value is NaN, else 0. Like torch.isnan. */
    isnan(): Tensor;
    /** 1 where the value is +∞ or −∞, else 0. Like torch.isinf. */
    isinf(): Tensor;
    /** 1 where the value is neither NaN nor ±∞, else 0. Like torch.isfinite. */
    isfinite(): Tensor;
    /** 1 if any element is non-zero (along `dim` if given; `keepdim` keeps it as size 1), else 0. Like torch.any. */
    any(dim?: number, keepdim?: boolean): Tensor;
    /** 1 if every element is non-zero (along `dim` if given; `keepdim` keeps it as size 1), else 0. Like torch.all. */
    all(dim?: number, keepdim?: boolean): Tensor;
    /** This tensor: float32 is the engine's only dtype (PyTorch's float() returns self when it matches). */
    float(): Tensor;
    /** The engine's boolean tensor: 1 where non-zero (NaN included), else 0; no grad. */
    bool(): Tensor;
    /** Values truncated toward zero, without grad (integer tensors hold float32 integers here). */
    long(): Tensor;
    // ---- linear algebra / softmax ----
    /** Matrix product: (…, M, K) @ (…, K, N) → (…, M, N), batch dims broadcast, 1-D operands promoted. Like torch.matmul. */
    matmul(other: Tensor): Tensor;
    /** exp(x) / Σ exp(x) along `dim` (each slice sums to 1). Like torch.softmax. */
    softmax(dim: number): Tensor;
    /** log(softmax(x)) along `dim`, computed stably as x − logsumexp(x). Like torch.log_softmax. */
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
