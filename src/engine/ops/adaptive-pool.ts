// F.adaptive_avg_pool2d / F.adaptive_max_pool2d: output cell i of a dim covers inputs
// [floor(i·in/out), ceil((i+1)·in/out)), PyTorch's rule (neighbouring windows may overlap).
import { Tensor } from '../tensor';
import { shapeToString } from '../shape';
import { mean } from './reduce';
import { attach } from './graph';
import type { MaxPoolWithIndices } from './pool';

/** An int (both dims), or [h, w] where null keeps that input size (PyTorch's None). */
export type AdaptiveSize = number | readonly (number | null)[];

/** Python's _list_with_default: nulls take the input's trailing sizes. */
function resolveSize(input: Tensor, size: AdaptiveSize): number[] {
  if (typeof size === 'number') return [size, size];
  const rank = input.shape.length;
  if (rank <= size.length) throw new Error(`Input dimension should be at least ${size.length + 1}`);
  return size.map((v, i) => v ?? input.shape[rank - size.length + i]);
}

interface Windows { planes: number; H: number; W: number; OH: number; OW: number; hs: Int32Array; he: Int32Array; ws: Int32Array; we: Int32Array }

function windows(input: Tensor, OH: number, OW: number): Windows {
  const [H, W] = input.shape.slice(-2);
  const starts = (inp: number, out: number): [Int32Array, Int32Array] => [
    Int32Array.from({ length: out }, (_, i) => Math.floor((i * inp) / out)),
    Int32Array.from({ length: out }, (_, i) => Math.ceil(((i + 1) * inp) / out)),
  ];
  const [hs, he] = starts(H, OH);
  const [ws, we] = starts(W, OW);
  return { planes: H * W === 0 ? 0 : input.data.length / (H * W), H, W, OH, OW, hs, he, ws, we };
}

function outShape(input: Tensor, OH: number, OW: number): number[] {
  return [...input.shape.slice(0, -2), OH, OW];
}

/**
 * F.adaptive_avg_pool2d(input, outputSize) on (N, C, H, W) or (C, H, W). An output size of 1×1 is
 * a mean over the last two dims, as in PyTorch (which then accepts any input of rank ≥ 2).
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  const size = resolveSize(input, outputSize);
  if (size.length !== 2) throw new Error('adaptive_avg_pool2d: output_size must be 2');
  const [OH, OW] = size;
  if (OH < 0 || OW < 0) {
    throw new Error(`adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {${OH}, ${OW}}`);
  }
  if (OH === 1 && OW === 1) return mean(input, [-1, -2], true);
  const s = input.shape;
  if (s.length !== 3 && s.length !== 4) throw new Error(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${shapeToString(s)}`);
  for (const i of [s.length - 2, s.length - 1]) {
    if (s[i] === 0) {
      throw new Error(`adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${shapeToString(s)} with dimension ${i} being empty`);
    }
  }
  const g = windows(input, OH, OW);
  const { planes, H, W, hs, he, ws, we } = g;
  const x = input.data;
  const out = new Float32Array(planes * OH * OW);
  for (let p = 0, o = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, o++) {
        let sum = 0;
        for (let ih = hs[oh]; ih < he[oh]; ih++) for (let iw = ws[ow]; iw < we[ow]; iw++) sum += x[base + ih * W + iw];
        out[o] = sum / ((he[oh] - hs[oh]) * (we[ow] - ws[ow]));
      }
    }
  }
  return attach(new Tensor(out, outShape(input, OH, OW)), 'AdaptiveAvgPool2DBackward', [input], (gy) => {
    const gx = new Float32Array(x.length);
    for (let p = 0, o = 0; p < planes; p++) {
      const base = p * H * W;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, o++) {
          const v = gy[o] / ((he[oh] - hs[oh]) * (we[ow] - ws[ow]));
          for (let ih = hs[oh]; ih < he[oh]; ih++) for (let iw = ws[ow]; iw < we[ow]; iw++) gx[base + ih * W + iw] += v;
        }
      }
    }
    return [gx];
  }, true);
}

/** F.adaptive_max_pool2d(input, outputSize, return_indices=True): values and flat H×W indices. */
export function adaptiveMaxPool2dWithIndices(input: Tensor, outputSize: AdaptiveSize): MaxPoolWithIndices {
  const size = resolveSize(input, outputSize); // Python resolves the size before the C++ checks
  const s = input.shape;
  if (s.length !== 3 && s.length !== 4) throw new Error(`adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ${shapeToString(s)}`);
  // Every dim after the first must be non-empty (so an unbatched input may have no channels).
  for (let i = 1; i < s.length; i++) {
    if (s[i] === 0) {
      throw new Error(`adaptive_max_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${shapeToString(s)} with dimension ${i} being empty`);
    }
  }
  if (size.length !== 2) throw new Error('adaptive_max_pool2d(): internal error: output_size.size() must be 2');
  const [OH, OW] = size;
  const shape = outShape(input, OH, OW);
  const bad = shape.find((d) => d < 0);
  if (bad !== undefined) throw new Error(`Trying to create tensor with negative dimension ${bad}: ${shapeToString(shape)}`);
  const { planes, H, W, hs, he, ws, we } = windows(input, OH, OW);
  const x = input.data;
  const out = new Float32Array(planes * OH * OW);
  const arg = new Int32Array(out.length);
  for (let p = 0, o = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, o++) {
        // PyTorch's loop: start at the window's first element, a larger value or any NaN replaces it.
        let bi = hs[oh] * W + ws[ow];
        let best = -Infinity;
        for (let ih = hs[oh]; ih < he[oh]; ih++) {
          for (let iw = ws[ow]; iw < we[ow]; iw++) {
            const v = x[base + ih * W + iw];
            if (v > best || v !== v) { best = v; bi = ih * W + iw; }
          }
        }
        out[o] = best;
        arg[o] = bi;
      }
    }
  }
  const output = attach(new Tensor(out, shape), 'AdaptiveMaxPool2DBackward', [input], (gy) => {
    const gx = new Float32Array(x.length);
    const L = OH * OW;
    for (let o = 0; o < gy.length; o++) gx[Math.floor(o / L) * H * W + arg[o]] += gy[o];
    return [gx];
  }, true);
  return { output, indices: new Tensor(Float32Array.from(arg), shape) };
}

/** F.adaptive_max_pool2d(input, outputSize, returnIndices?): with `true`, values and indices. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true): MaxPoolWithIndices;
/** F.adaptive_max_pool2d(input, outputSize) on (N, C, H, W) or (C, H, W): the maxima of adaptive windows, (N, C, h, w). */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: false): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices = false): Tensor | MaxPoolWithIndices {
  const r = adaptiveMaxPool2dWithIndices(input, outputSize);
  return returnIndices ? r : r.output;
}
