// Tensor factories. Random ones draw from an explicit Generator or the global one.
import { Tensor } from './tensor';
import { numelOf, shapeToString } from './shape';
import { resolveGenerator, type Generator } from './random';
import { allocate } from './storage';

/** Options of the tensor factories. */
export interface TensorOptions {
  /** Make the new tensor a leaf that records gradients (default false). */
  requiresGrad?: boolean;
}

/** Options of the random factories. */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from (default: the global one, seeded by manualSeed()). */
  generator?: Generator | null;
}

/** Nested number arrays of any depth. */
export type NestedArray = number | readonly NestedArray[];
/** Input of tensor(): a number, nested number arrays, or a flat array-like such as a Float32Array. */
export type TensorData = NestedArray | ArrayLike<number>;

/** Values and shape of nested arrays (rectangular, checked); `op` names the caller in errors. */
export function flattenNested(data: NestedArray, op = 'tensor()'): { flat: number[]; shape: number[] } {
  if (typeof data === 'number') return { flat: [data], shape: [] };
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  const flat: number[] = [];
  const walk = (x: NestedArray, depth: number): void => {
    if (depth === shape.length) {
      if (typeof x !== 'number') throw new Error(`${op}: ragged nested array`);
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      throw new Error(`${op}: expected sequence of length ${shape[depth]} at dim ${depth}`);
    }
    for (const v of x as readonly NestedArray[]) walk(v, depth + 1);
  };
  walk(data, 0);
  return { flat, shape };
}

function toShape(shape: number | readonly number[]): number[] {
  const s = typeof shape === 'number' ? [shape] : shape.slice();
  for (const d of s) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`Trying to create tensor with negative dimension ${d}: ${shapeToString(s)}`);
  }
  return s;
}

/**
 * Builds a tensor from a number, nested arrays (shape inferred), or a flat array / Float32Array
 * (1-D, or reshaped to `shape`). The data is always copied. Like torch.tensor.
 */
export function tensor(data: TensorData, shape?: readonly number[] | TensorOptions | null, opts: TensorOptions = {}): Tensor {
  if (shape && !Array.isArray(shape)) {
    opts = shape as TensorOptions;
    shape = undefined;
  }
  const given = shape as readonly number[] | undefined | null;
  let values: Float32Array;
  let inferred: number[];
  if (typeof data === 'number' || Array.isArray(data)) {
    const isFlat = Array.isArray(data) && data.every((v) => typeof v === 'number');
    if (isFlat && given) {
      values = Float32Array.from(data as number[]);
      inferred = [values.length];
    } else {
      const { flat, shape: s } = flattenNested(data as NestedArray);
      values = Float32Array.from(flat);
      inferred = s;
    }
  } else if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint8Array) {
    // A typed array is copied into pool storage (a tidy scope can hand it back).
    values = allocate(data.length, false);
    values.set(data);
    inferred = [values.length];
  } else {
    values = Float32Array.from(data as ArrayLike<number>);
    inferred = [values.length];
  }
  const finalShape = given ? toShape(given) : inferred;
  if (numelOf(finalShape) !== values.length) {
    throw new Error(`shape '${shapeToString(finalShape)}' is invalid for input of size ${values.length}`);
  }
  return new Tensor(values, finalShape, opts.requiresGrad ?? false);
}

/** A tensor of `shape` filled with `value`. Like torch.full. */
export function full(shape: number | readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  const s = toShape(shape);
  const values = allocate(numelOf(s), value === 0);
  if (value !== 0) values.fill(value);
  return new Tensor(values, s, opts.requiresGrad ?? false);
}

/** A tensor of `shape` whose values are unspecified (for a caller that writes every one). Like torch.empty. */
export function empty(shape: number | readonly number[], opts: TensorOptions = {}): Tensor {
  const s = toShape(shape);
  return new Tensor(allocate(numelOf(s), false), s, opts.requiresGrad ?? false);
}

/** A tensor of `shape` filled with 0, e.g. zeros([N, C]). Like torch.zeros. */
export function zeros(shape: number | readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** A tensor of `shape` filled with 1. Like torch.ones. */
export function ones(shape: number | readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** Zeros of `t`'s shape. Like torch.zeros_like. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(t.shape, opts);
}

/** Ones of `t`'s shape. Like torch.ones_like. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return ones(t.shape, opts);
}

/** Samples of the standard normal N(0, 1) in `shape`, from opts.generator or the global one. Like torch.randn. */
export function randn(shape: number | readonly number[], opts: RandomOptions = {}): Tensor {
  const s = toShape(shape);
  const data = resolveGenerator(opts.generator).fillNormal(allocate(numelOf(s), false));
  return new Tensor(data, s, opts.requiresGrad ?? false);
}

/** Samples uniform in [0, 1) in `shape`, from opts.generator or the global one. Like torch.rand. */
export function rand(shape: number | readonly number[], opts: RandomOptions = {}): Tensor {
  const s = toShape(shape);
  const data = resolveGenerator(opts.generator).fillUniform(allocate(numelOf(s), false));
  return new Tensor(data, s, opts.requiresGrad ?? false);
}

/** Integers uniform in [low, high) in `shape`, stored as float32 values (no grad). Like torch.randint. */
export function randint(low: number, high: number, shape: number | readonly number[], opts: RandomOptions = {}): Tensor {
  const s = toShape(shape);
  const g = resolveGenerator(opts.generator);
  const data = new Float32Array(numelOf(s));
  for (let i = 0; i < data.length; i++) data[i] = low + g.nextInt(high - low);
  return new Tensor(data, s);
}

/** A random permutation of 0..n−1 (float32 values; no grad). Like torch.randperm. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  return new Tensor(Float32Array.from(resolveGenerator(opts.generator).randperm(n)), [n]);
}

/** The 1-D tensor start, start + step, … below `end`; arange(n) is 0..n−1. Like torch.arange. */
export function arange(start: number, end?: number, step = 1): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/** `steps` evenly spaced values from `start` to `end`, both included. Like torch.linspace. */
export function linspace(start: number, end: number, steps: number): Tensor {
  const data = new Float32Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends like PyTorch so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return new Tensor(data, [steps]);
}

/** The n×m identity matrix (m defaults to n). Like torch.eye. */
export function eye(n: number, m = n): Tensor {
  const data = new Float32Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return new Tensor(data, [n, m]);
}
