// F.max_pool2d with PyTorch's padding, dilation and ceil_mode: implicit -inf padding, windows
// clipped to the input, the gradient to the one selected element per window.
import { Tensor } from '../tensor';
import { shapeToString } from '../shape';
import { attach } from './graph';

/** An int, or a one- or two-element list. */
export type PoolPair = number | readonly number[];

/** Options of F.maxPool2d. */
export interface MaxPool2dOptions {
  /** Defaults to the kernel size. */
  stride?: PoolPair | null;
  /** Implicit -inf padding on both sides, at most half the kernel size. */
  padding?: PoolPair;
  /** Spacing between window elements (default 1). */
  dilation?: PoolPair;
  /** Round the output size up (a last window that starts inside the input or left padding). */
  ceilMode?: boolean;
  /** Return { output, indices } instead of the output alone (default false). */
  returnIndices?: boolean;
}

/** The pooled values and, per value, the flat index of its element within the input's H×W plane. */
export interface MaxPoolWithIndices {
  /** The pooled values, (N, C, H_out, W_out) or unbatched (C, H_out, W_out). */
  output: Tensor;
  /** Each pooled value's flat index within its H×W input plane (float32 integer values). */
  indices: Tensor;
}

/** An int or a one- or two-element list, as PyTorch's max_pool2d accepts (an empty stride = default). */
export function pairArg(v: PoolPair, message: string, allowEmpty = false): [number, number] | null {
  const list = typeof v === 'number' ? [v] : v;
  if (allowEmpty && list.length === 0) return null;
  if (list.length !== 1 && list.length !== 2) throw new Error(message);
  if (!list.every(Number.isInteger)) throw new Error(message);
  return list.length === 1 ? [list[0], list[0]] : [list[0], list[1]];
}

/** PyTorch's pooling_output_shape: with ceilMode, the last window must start inside input or left padding. */
export function outputSize(size: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  const span = size + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

interface Geometry {
  planes: number; H: number; W: number; OH: number; OW: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
}

/** Argument checks in PyTorch 1.13's order, then the output geometry. */
function geometry(input: Tensor, kernelSize: PoolPair, opts: MaxPool2dOptions): Geometry {
  const [kh, kw] = pairArg(kernelSize, 'max_pool2d: kernel_size must either be a single int, or a tuple of two ints')!;
  const stride = pairArg(opts.stride ?? [], 'max_pool2d: stride must either be omitted, a single int, or a tuple of two ints', true);
  const [sh, sw] = stride ?? [kh, kw];
  const [ph, pw] = pairArg(opts.padding ?? 0, 'max_pool2d: padding must be either be a single int, or a tuple of two ints')!;
  const [dh, dw] = pairArg(opts.dilation ?? 1, 'max_pool2d: dilation must be either a single int, or a tuple of two ints')!;
  if (sh === 0 || sw === 0) throw new Error('stride should not be zero');
  for (const p of [ph, pw]) if (p < 0) throw new Error(`pad must be non-negative, but got pad: ${p}`);
  for (const [p, k] of [[ph, kh], [pw, kw]]) {
    if (p > k / 2) throw new Error(`pad should be at most half of kernel size, but got pad=${p} and kernel_size=${k}`);
  }
  if (kh <= 0 || kw <= 0) throw new Error(`kernel size should be greater than zero, but got kH: ${kh} kW: ${kw}`);
  if (sh <= 0 || sw <= 0) throw new Error(`stride should be greater than zero, but got dH: ${sh} dW: ${sw}`);
  if (dh <= 0 || dw <= 0) throw new Error(`dilation should be greater than zero, but got dilationH: ${dh} dilationW: ${dw}`);
  const s = input.shape;
  if (s.length !== 3 && s.length !== 4) throw new Error('non-empty 3D or 4D (batch mode) tensor expected for input');
  // Only the batch dim may be empty.
  if (s.slice(-3).some((d) => d === 0)) {
    throw new Error(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${shapeToString(s)}`);
  }
  const [C, H, W] = s.slice(-3);
  const ceil = opts.ceilMode ?? false;
  const OH = outputSize(H, kh, ph, sh, dh, ceil);
  const OW = outputSize(W, kw, pw, sw, dw, ceil);
  if (OH < 1 || OW < 1) {
    throw new Error(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${OH}x${OW}). Output size is too small`);
  }
  return { planes: input.data.length / (H * W), H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw };
}

/**
 * PyTorch's CPU loop: a window starts at its first in-bounds element (so an all -inf window picks
 * it), a larger value or any NaN (hence the last NaN) replaces the current pick.
 */
function pool(x: Float32Array, g: Geometry): { out: Float32Array; arg: Int32Array } {
  const { planes, H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw } = g;
  const out = new Float32Array(planes * OH * OW);
  const arg = new Int32Array(out.length);
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    for (let oh = 0; oh < OH; oh++) {
      let h0 = oh * sh - ph;
      const h1 = Math.min(h0 + (kh - 1) * dh + 1, H);
      while (h0 < 0) h0 += dh;
      for (let ow = 0; ow < OW; ow++) {
        let w0 = ow * sw - pw;
        const w1 = Math.min(w0 + (kw - 1) * dw + 1, W);
        while (w0 < 0) w0 += dw;
        let bi = h0 * W + w0;
        let best = -Infinity;
        for (let ih = h0; ih < h1; ih += dh) {
          for (let iw = w0; iw < w1; iw += dw) {
            const v = x[plane + ih * W + iw];
            if (v > best || v !== v) {
              best = v;
              bi = ih * W + iw;
            }
          }
        }
        const o = (p * OH + oh) * OW + ow;
        out[o] = best;
        arg[o] = bi;
      }
    }
  }
  return { out, arg };
}

/** F.max_pool2d_with_indices on (N, C, H, W) or unbatched (C, H, W) input. */
export function maxPool2dWithIndices(input: Tensor, kernelSize: PoolPair, opts: MaxPool2dOptions = {}): MaxPoolWithIndices {
  const g = geometry(input, kernelSize, opts);
  const x = input.data;
  const { out, arg } = pool(x, g);
  const shape = [...input.shape.slice(0, -2), g.OH, g.OW];
  const output = attach(new Tensor(out, shape), 'MaxPool2DWithIndicesBackward', [input], (gy) => {
    const gx = new Float32Array(x.length);
    const L = g.OH * g.OW;
    for (let o = 0; o < gy.length; o++) gx[Math.floor(o / L) * g.H * g.W + arg[o]] += gy[o];
    return [gx];
  });
  return { output, indices: new Tensor(Float32Array.from(arg), shape) };
}

/**
 * F.max_pool2d(input, kernelSize, stride?, opts?) or F.max_pool2d(input, kernelSize, opts): with
 * `returnIndices: true` it returns the output and the indices, as PyTorch returns a pair.
 */
export function maxPool2d(input: Tensor, kernelSize: PoolPair, opts: MaxPool2dOptions & { returnIndices: true }): MaxPoolWithIndices;
/** F.max_pool2d(input, kernelSize, stride, { returnIndices: true, … }): { output, indices }. */
export function maxPool2d(input: Tensor, kernelSize: PoolPair, stride: PoolPair | null | undefined, opts: MaxPool2dOptions & { returnIndices: true }): MaxPoolWithIndices;
/** F.max_pool2d(input, kernelSize, stride = kernelSize, { padding, dilation, ceilMode }) on (N, C, H, W) or (C, H, W): the window maxima (N, C, H_out, W_out). */
export function maxPool2d(input: Tensor, kernelSize: PoolPair, stride?: PoolPair | null | (MaxPool2dOptions & { returnIndices?: false }), opts?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
/** F.max_pool2d with options known only at run time: the output, or { output, indices } with returnIndices. */
export function maxPool2d(input: Tensor, kernelSize: PoolPair, stride?: PoolPair | null | MaxPool2dOptions, opts?: MaxPool2dOptions): Tensor | MaxPoolWithIndices;
export function maxPool2d(input: Tensor, kernelSize: PoolPair, stride?: PoolPair | null | MaxPool2dOptions, opts: MaxPool2dOptions = {}): Tensor | MaxPoolWithIndices {
  const isOptions = stride !== null && stride !== undefined && typeof stride === 'object' && !Array.isArray(stride);
  const o: MaxPool2dOptions = isOptions ? (stride as MaxPool2dOptions) : { ...opts, stride: (stride as PoolPair | null | undefined) ?? opts.stride };
  const r = maxPool2dWithIndices(input, kernelSize, o);
  return o.returnIndices ? r : r.output;
}
