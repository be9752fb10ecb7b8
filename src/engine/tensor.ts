// The Tensor: a contiguous row-major Float32Array plus a shape, and the autograd bookkeeping.
// Its op methods (`x.add(y)` for `add(x, y)`) are installed by tensor-methods.ts, which imports the
// ops: the ops import this module, so it imports none of them (no import loop).
import { runBackward, type GradFn } from './autograd';
import { numelOf, normalizeDim, shapeToString, type Shape } from './shape';
import { track } from './scope';

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
    runBackward(this, g, (data, like) => {
      const t = new Tensor(data, like.shape, false);
      t.escaped = true;
      return t;
    });
  }
}
