// F.avg_pool2d with PyTorch's padding, ceil_mode, count_include_pad and divisor_override: windows
// clipped to the padded input for the divisor, to the input for the sum.
import { Tensor } from '../tensor';
import { normalizeDim, shapeToString } from '../shape';
import { outputSize, pairArg, type PoolPair } from './pool';
import { attach } from './graph';

/** Options of F.avgPool2d. */
export interface AvgPool2dOptions {
  /** Defaults to the kernel size. */
  stride?: PoolPair | null;
  /** Implicit zero padding on both sides, at most half the kernel size. */
  padding?: PoolPair;
  /** Round the output size up (a last window that starts inside the input or left padding). */
  ceilMode?: boolean;
  /** Count padding zeros in the divisor (PyTorch's default: true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number | null;
}

interface Geometry {
  planes: number; H: number; W: number; OH: number; OW: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number;
}

/** PyTorch's pooling_output_shape for one spatial dim, with its checks in its order. */
function outSize(size: number, k: number, pad: number, stride: number, ceil: boolean): number {
  if (stride === 0) throw new Error('stride should not be zero');
  if (pad < 0) throw new Error(`pad must be non-negative, but got pad: ${pad}`);
  if (pad > Math.trunc(k / 2)) throw new Error(`pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${k}`);
  return outputSize(size, k, pad, stride, 1, ceil);
}

/** Argument checks in PyTorch 1.13's order (avg_pool2d's meta function), then the geometry. */
function geometry(input: Tensor, kernelSize: PoolPair, opts: AvgPool2dOptions): Geometry {
  const [kh, kw] = pairArg(kernelSize, 'avg_pool2d: kernel_size must either be a single int, or a tuple of two ints')!;
  const stride = pairArg(opts.stride ?? [], 'avg_pool2d: stride must either be omitted, a single int, or a tuple of two ints', true);
  const [sh, sw] = stride ?? [kh, kw];
  const [ph, pw] = pairArg(opts.padding ?? 0, 'avg_pool2d: padding must either be a single int, or a tuple of two ints')!;
  if (opts.divisorOverride === 0) throw new Error('divisor must be not zero');
  const s = input.shape;
  normalizeDim(-3, s.length); // PyTorch reads input.size(-3) first: its error for 1-D and 2-D inputs
  const [C, H, W] = s.slice(-3);
  const ceil = opts.ceilMode ?? false;
  const OH = outSize(H, kh, ph, sh, ceil);
  const OW = outSize(W, kw, pw, sw, ceil);
  if (kh <= 0 || kw <= 0) throw new Error(`kernel size should be greater than zero, but got kH: ${kh} kW: ${kw}`);
  if (sh <= 0 || sw <= 0) throw new Error(`stride should be greater than zero, but got dH: ${sh} dW: ${sw}`);
  // Only the batch dim may be empty.
  if ((s.length !== 3 && s.length !== 4) || s.slice(-3).some((d) => d === 0)) {
    throw new Error(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${shapeToString(s)}`);
  }
  if (OH < 1 || OW < 1) {
    throw new Error(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${OH}x${OW}). Output size is too small`);
  }
  return { planes: input.data.length / (H * W), H, W, OH, OW, kh, kw, sh, sw, ph, pw };
}

/** Calls `visit(o, h0, h1, w0, w1, divisor)` for each output position of one plane's layout. */
function forEachWindow(g: Geometry, opts: AvgPool2dOptions, visit: (o: number, h0: number, h1: number, w0: number, w1: number, div: number) => void): void {
  const { OH, OW, H, W, kh, kw, sh, sw, ph, pw } = g;
  const includePad = opts.countIncludePad ?? true;
  const override = opts.divisorOverride ?? null;
  for (let oh = 0; oh < OH; oh++) {
    let h0 = oh * sh - ph;
    let h1 = Math.min(h0 + kh, H + ph);
    const ph0 = h0, ph1 = h1;
    h0 = Math.max(h0, 0);
    h1 = Math.min(h1, H);
    for (let ow = 0; ow < OW; ow++) {
      let w0 = ow * sw - pw;
      let w1 = Math.min(w0 + kw, W + pw);
      // The divisor counts the window clipped to the padded input, before clipping to the input.
      const poolSize = (ph1 - ph0) * (w1 - w0);
      w0 = Math.max(w0, 0);
      w1 = Math.min(w1, W);
      if (h0 >= h1 || w0 >= w1) continue;
      const div = override ?? (includePad ? poolSize : (h1 - h0) * (w1 - w0));
      visit(oh * OW + ow, h0, h1, w0, w1, div);
    }
  }
}

/**
 * F.avg_pool2d(input, kernelSize, stride?, opts?) or F.avg_pool2d(input, kernelSize, opts) on
 * (N, C, H, W) or unbatched (C, H, W) input. Sums are float64, divided and rounded once.
 */
export function avgPool2d(input: Tensor, kernelSize: PoolPair, stride?: PoolPair | null | AvgPool2dOptions, opts: AvgPool2dOptions = {}): Tensor {
  const isOptions = stride !== null && stride !== undefined && typeof stride === 'object' && !Array.isArray(stride);
  const o: AvgPool2dOptions = isOptions ? (stride as AvgPool2dOptions) : { ...opts, stride: (stride as PoolPair | null | undefined) ?? opts.stride };
  const g = geometry(input, kernelSize, o);
  const { planes, H, W, OH, OW } = g;
  const x = input.data;
  const out = new Float32Array(planes * OH * OW);
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    forEachWindow(g, o, (k, h0, h1, w0, w1, div) => {
      let sum = 0;
      for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) sum += x[base + ih * W + iw];
      out[p * OH * OW + k] = sum / div;
    });
  }
  const shape = [...input.shape.slice(0, -2), OH, OW];
  return attach(new Tensor(out, shape), 'AvgPool2DBackward', [input], (gy) => {
    const gx = new Float32Array(x.length);
    for (let p = 0; p < planes; p++) {
      const base = p * H * W;
      forEachWindow(g, o, (k, h0, h1, w0, w1, div) => {
        const v = gy[p * OH * OW + k] / div;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) gx[base + ih * W + iw] += v;
      });
    }
    return [gx];
  }, true);
}
